-- The queue indexes only live events (see schema.ts), and the table becomes WITHOUT ROWID: rebuilt, rows kept.
CREATE TABLE `events_rebuilt` (
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
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `events_rebuilt` SELECT `id`, `type`, `source`, `stack`, `run_id`, `data`, `status`, `attempts`, `error`, `available_at`, `lease_owner`, `lease_host`, `lease_pid`, `lease_until`, `created_at`, `updated_at`, `processed_at` FROM `events`;--> statement-breakpoint
DROP TABLE `events`;--> statement-breakpoint
ALTER TABLE `events_rebuilt` RENAME TO `events`;--> statement-breakpoint
CREATE INDEX `events_pending` ON `events` (`available_at`,`run_id`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `events_processing` ON `events` (`lease_until`) WHERE status = 'processing';
