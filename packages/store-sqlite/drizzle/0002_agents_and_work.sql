CREATE TABLE `agent_work` (
	`id` text PRIMARY KEY NOT NULL,
	`agent` text NOT NULL,
	`kind` text NOT NULL,
	`what` text NOT NULL,
	`status` text NOT NULL,
	`exit_code` integer,
	`error` text,
	`duration_ms` integer,
	`created_at` integer NOT NULL,
	`deadline` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `agent_work_status` ON `agent_work` (`status`);--> statement-breakpoint
CREATE INDEX `agent_work_agent` ON `agent_work` (`agent`,`created_at`);--> statement-breakpoint
CREATE TABLE `agents` (
	`name` text PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`version` text NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`system` text DEFAULT '{}' NOT NULL,
	`registered_at` integer NOT NULL,
	`last_heartbeat` integer NOT NULL
);
