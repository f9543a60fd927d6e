CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "deduction_logs_created_idx" ON "deduction_logs" USING btree ("created_at","id");