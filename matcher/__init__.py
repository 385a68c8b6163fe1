"""talentmatch: pre-vetted backend candidate matching engine."""
