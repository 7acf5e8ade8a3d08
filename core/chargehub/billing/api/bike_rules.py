"""计费规则（单车）(3.3.5): ``/api/v1/admin/bike/billing-rules``."""
from chargehub.billing.api.rules import rule_blueprint

blp = rule_blueprint("bike")
