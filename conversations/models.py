"""Step 1: families, babies, caregivers, contacts, consent and the three questions."""
