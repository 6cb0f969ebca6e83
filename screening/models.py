"""Step 2: strengths, areas of need, validated instruments and concerns."""
