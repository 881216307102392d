"""The deposit challenge (打卡返学费): where a member stands (``rules``: the pure rule; ``selectors``: read from the
database). Billing refunds the eligible when the cohort closes."""
