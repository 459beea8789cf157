"""The public portal: online submissions, the applicant's look-up and actions, challenges, rate limits."""
