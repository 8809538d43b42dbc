ALTER TABLE `agent_metrics` ADD `net_rx` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_metrics` ADD `net_tx` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_metrics` ADD `cpus` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `events_failed` ON `events` (`id`) WHERE status = 'failed';