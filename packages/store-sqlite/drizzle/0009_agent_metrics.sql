CREATE TABLE `agent_metrics` (
	`agent` text NOT NULL,
	`at` integer NOT NULL,
	`load1` real NOT NULL,
	`load5` real NOT NULL,
	`load15` real NOT NULL,
	`memory_total` integer NOT NULL,
	`memory_free` integer NOT NULL,
	`disk_total` integer NOT NULL,
	`disk_free` integer NOT NULL,
	`running_work` integer NOT NULL,
	PRIMARY KEY(`agent`, `at`)
);
--> statement-breakpoint
CREATE INDEX `agent_metrics_at` ON `agent_metrics` (`at`);