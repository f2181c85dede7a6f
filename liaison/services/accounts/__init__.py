"""Who may act: users, tokens, groups, agencies, passwords, the login throttle and the audit trail."""
