DROP INDEX `state_expires_at`;--> statement-breakpoint
CREATE INDEX `state_expires_at` ON `state` (`expires_at`) WHERE expires_at IS NOT NULL;