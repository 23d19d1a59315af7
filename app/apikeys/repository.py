from app.apikeys.models import ApiKey
from app.repository import AccountScopedRepository


class ApiKeyRepository(AccountScopedRepository[ApiKey]):
    model = ApiKey
    not_found_detail = "API key not found"

    def active(self) -> list[ApiKey]:
        return list(self.session.exec(self.select().where(ApiKey.revoked_at.is_(None))
                                      .order_by(ApiKey.created_at)))
