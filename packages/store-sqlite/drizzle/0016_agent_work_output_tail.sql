ALTER TABLE `agent_work` ADD `output` text;--> statement-breakpoint
ALTER TABLE `agent_work` ADD `output_chars` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `agent_work` ADD `output_seq` integer DEFAULT 0 NOT NULL;