DROP INDEX `events_run`;--> statement-breakpoint
CREATE INDEX `events_run_status` ON `events` (`run_id`,`status`,`available_at`);