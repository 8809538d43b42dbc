-- A run's tasks and log lines live in their primary key's b-tree (WITHOUT ROWID; drizzle cannot say so).
CREATE TABLE `run_logs` (
	`run_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`task` text NOT NULL,
	`agent` text,
	`level` text NOT NULL,
	`stream` text,
	`message` text NOT NULL,
	PRIMARY KEY(`run_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `run_tasks` (
	`run_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`changed` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer,
	`error` text,
	`agent` text,
	PRIMARY KEY(`run_id`, `position`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`workflow` text NOT NULL,
	`stack` text,
	`status` text NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `runs_started` ON `runs` (`started_at`);