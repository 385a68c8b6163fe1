"""Learning from decisions and auditing them: the decision log, self-identification (admin
only), fitting a weight profile, the impact-ratio audit, and publishing a fitted profile.

The pure parts (the fit, its offline evaluation, the audit's arithmetic) live in
``matcher.core.fitting`` and ``matcher.core.audit``; these modules load, call and persist.
"""
