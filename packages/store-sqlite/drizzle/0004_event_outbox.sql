CREATE TABLE `event_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`stack` text,
	`run_id` text,
	`created_at` integer NOT NULL
);
