"""Step 3: the service directory, signposting, referrals and reminders."""
