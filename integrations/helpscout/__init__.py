"""Help Scout two-way sync: webhooks in, outbox deliveries out, and a periodic resync."""
