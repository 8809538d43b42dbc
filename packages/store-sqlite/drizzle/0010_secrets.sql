CREATE TABLE `secret_key` (
	`id` integer PRIMARY KEY NOT NULL,
	`mode` text NOT NULL,
	`salt` text,
	`params` text,
	`check` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
