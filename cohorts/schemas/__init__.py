"""The API's input and output shapes for cohorts, one module per router of ``cohorts.api``: cohorts, check-ins,
feed, group rules, webhooks."""
