CREATE TABLE `schedule_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`schedule` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`due_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`exit_code` integer,
	`error` text,
	`stack` text,
	`execution_id` text,
	`host` text,
	`pid` integer
);
--> statement-breakpoint
CREATE INDEX `schedule_runs_schedule` ON `schedule_runs` (`schedule`,`id`);--> statement-breakpoint
CREATE INDEX `schedule_runs_live` ON `schedule_runs` (`status`) WHERE status IN ('running', 'queued');--> statement-breakpoint
CREATE TABLE `schedules` (
	`name` text PRIMARY KEY NOT NULL,
	`cron` text NOT NULL,
	`timezone` text,
	`file` text NOT NULL,
	`workflow` text,
	`stack` text,
	`run_args` text DEFAULT '[]' NOT NULL,
	`overlap` text NOT NULL,
	`catch_up` text NOT NULL,
	`timeout_ms` integer,
	`jitter_ms` integer DEFAULT 0 NOT NULL,
	`after` text,
	`after_cursor` integer DEFAULT 0 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`due_at` integer,
	`fire_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `schedules_fire_at` ON `schedules` (`fire_at`) WHERE enabled = 1 AND fire_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `schedules_after` ON `schedules` (`after`) WHERE after IS NOT NULL;