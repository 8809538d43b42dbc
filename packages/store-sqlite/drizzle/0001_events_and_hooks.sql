CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`source` text NOT NULL,
	`stack` text,
	`run_id` text,
	`data` text DEFAULT '{}' NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`available_at` integer NOT NULL,
	`lease_owner` text,
	`lease_host` text,
	`lease_pid` integer,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE INDEX `events_status_available` ON `events` (`status`,`available_at`);--> statement-breakpoint
CREATE INDEX `events_created` ON `events` (`created_at`);--> statement-breakpoint
CREATE INDEX `events_run` ON `events` (`run_id`);--> statement-breakpoint
CREATE TABLE `hook_executions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hook` text NOT NULL,
	`event_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`success` integer NOT NULL,
	`output` text,
	`error` text,
	`duration_ms` integer NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `hook_executions_event` ON `hook_executions` (`event_id`);--> statement-breakpoint
CREATE INDEX `hook_executions_hook_started` ON `hook_executions` (`hook`,`started_at`);--> statement-breakpoint
CREATE TABLE `hooks` (
	`name` text PRIMARY KEY NOT NULL,
	`event_type` text NOT NULL,
	`stack` text,
	`enabled` integer DEFAULT true NOT NULL,
	`source` text NOT NULL,
	`path` text NOT NULL,
	`timeout_ms` integer NOT NULL,
	`max_attempts` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
