"""计费规则（汽车）(3.2.7): ``/api/v1/admin/car/billing-rules``."""
from chargehub.billing.api.rules import rule_blueprint

blp = rule_blueprint("car")
