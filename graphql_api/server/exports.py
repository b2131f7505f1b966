"""GET /export/coupon-codes?campaignId=<ID>: a campaign's codes as CSV,
streamed a chunk at a time, so that 100,000 codes cost no more memory than
a hundred. Admin keys only (the authentication middleware decides)."""

from __future__ import annotations

import csv
import io

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..codes.service import campaign_exists, export_rows
from ..core.errors import NO_SUCH_CAMPAIGN
from ..db.database import Database
from ..error_codes import TopLevelCode
from ..graphql.ids import decode_id
from .asgi import error_document

PATH = "/export/coupon-codes"
HEADER = ("code", "uses_per_code", "usage_count", "created_at")


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def coupon_codes_endpoint(database: Database):
    async def export(request: Request) -> Response:
        campaign_id = decode_id(request.query_params.get("campaignId", ""), "Campaign")
        if campaign_id is None or not await campaign_exists(database, campaign_id):
            return JSONResponse(error_document(TopLevelCode.NOT_FOUND, NO_SUCH_CAMPAIGN), status_code=404)

        async def lines():
            yield _csv_line(HEADER)
            async for _id, code, uses_per_code, usage_count, created_at in export_rows(database, campaign_id):
                yield _csv_line((code, "" if uses_per_code is None else uses_per_code, usage_count,
                                 created_at.isoformat()))

        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="coupon-codes.csv"', "Cache-Control": "no-store"})

    return export
