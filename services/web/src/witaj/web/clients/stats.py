"""The stats API as the insights pages use it: series, breakdowns, top lists, gaps, indicators, open data.

Signed-in calls carry the analyst's access token (the API decides which city they may read) and are never
answered from, nor kept in, the saved answers the public pages share. Open data and the indicator
catalogue need no token and are reused briefly. The pages show only what these calls answer: every
figure was suppressed by the stats service before it left (`witaj.stats.privacy`), and nothing here adds,
subtracts or fills in a figure the API did not give.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
from witaj.web.clients.base import BackendClient, BackendRefused, Params
from witaj.web.clients.workbench import TokenRejected

CATALOGUE_FRESH = 300.0
OPEN_FRESH = 30.0


class StatsRefused(BackendRefused):
    """The stats API will not show this city's statistics to this person (403)."""


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class StatsClient(BackendClient):
    service = "stats"

    def _refusal(self, status: int, data: Any) -> BackendRefused:
        """As the workbench's (a rejected token ends the session), with its own 403 for the insights."""
        refusal = super()._refusal(status, data)
        if status in (401, 403):
            kind = TokenRejected if status == 401 else StatsRefused
            return kind(refusal.service, status, refusal.code, refusal.details)
        return refusal

    async def _read(self, token: str, path: str, params: Params) -> Any:
        data, _ = await self.send("GET", path, token=token, params=params)
        return data

    # ----------------------------------------------------------------------------- usage dashboards

    async def series(
        self,
        token: str,
        city: str,
        metric: str,
        start: datetime,
        end: datetime,
        granularity: str,
        *,
        dimension: str = "total",
        value: str = "",
    ) -> dict[str, Any]:
        params: Params = {
            "metric": metric, "start": _iso(start), "end": _iso(end), "granularity": granularity,
            "dimension": dimension, "value": value,
        }  # fmt: skip
        return await self._read(token, f"/cities/{city}/series", params)  # type: ignore[no-any-return]

    async def breakdown(
        self,
        token: str,
        city: str,
        metric: str,
        dimension: str,
        start: datetime,
        end: datetime,
        granularity: str,
    ) -> dict[str, Any]:
        params: Params = {
            "metric": metric, "dimension": dimension, "start": _iso(start), "end": _iso(end),
            "granularity": granularity,
        }  # fmt: skip
        return await self._read(token, f"/cities/{city}/breakdown", params)  # type: ignore[no-any-return]

    async def top(
        self, token: str, city: str, metric: str, dimension: str, start: datetime, end: datetime, limit: int
    ) -> dict[str, Any]:
        params: Params = {
            "metric": metric, "dimension": dimension, "start": _iso(start), "end": _iso(end), "limit": limit,
        }  # fmt: skip
        return await self._read(token, f"/cities/{city}/top", params)  # type: ignore[no-any-return]

    async def information_gaps(
        self, token: str, city: str, start: datetime, end: datetime, *, language: str | None, limit: int
    ) -> list[dict[str, Any]]:
        params: Params = {"start": _iso(start), "end": _iso(end), "limit": limit}
        if language:
            params["language"] = language
        return await self._read(token, f"/cities/{city}/information-gaps", params)  # type: ignore[no-any-return]

    async def language_demand(
        self, token: str, city: str, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        params: Params = {"start": _iso(start), "end": _iso(end)}
        return await self._read(token, f"/cities/{city}/language-demand", params)  # type: ignore[no-any-return]

    async def fill_rates(
        self, token: str, city: str, start: datetime, end: datetime, limit: int
    ) -> list[dict[str, Any]]:
        params: Params = {"start": _iso(start), "end": _iso(end), "limit": limit}
        return await self._read(token, f"/cities/{city}/fill-rates", params)  # type: ignore[no-any-return]

    async def deliveries(self, token: str, city: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
        params: Params = {"start": _iso(start), "end": _iso(end)}
        return await self._read(token, f"/cities/{city}/deliveries", params)  # type: ignore[no-any-return]

    async def download(self, token: str, path: str, params: Params) -> tuple[bytes, str]:
        """A CSV or JSON-stat file exactly as the API made it (from its already suppressed figures)."""
        body, headers = await self.send("GET", path, token=token, params=params, raw=True)
        return body, headers.get("content-type", "application/octet-stream")

    async def live(self, token: str, city: str) -> AsyncIterator[str]:
        """The metric of each update the stats API streams for the city (its Server-Sent Events), as they
        come; ends when the API closes the stream. Keep-alive comments pass through as ''."""
        timeout = httpx.Timeout(None, connect=self.settings.connect_timeout_seconds)
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        try:
            async with self.http.stream(
                "GET", f"/cities/{city}/live", headers=headers, timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise self._refusal(response.status_code, self._quiet_json(response.content))
                async for line in response.aiter_lines():
                    if line.startswith("data:"):
                        metric = self._metric_of(line[5:])
                        if metric:
                            yield metric
                    elif line.startswith(":"):
                        yield ""
        except httpx.HTTPError as exc:
            raise self._down(type(exc).__name__) from None

    @staticmethod
    def _quiet_json(body: bytes) -> Any:
        try:
            return json.loads(body)
        except ValueError:
            return None

    @staticmethod
    def _metric_of(raw: str) -> str | None:
        try:
            message = json.loads(raw)
            metric = message["data"]["metric"]
        except (ValueError, KeyError, TypeError):
            return None
        return metric if isinstance(metric, str) and len(metric) <= 64 else None

    # ----------------------------------------------------------------------------------- indicators

    async def catalogue(self) -> list[dict[str, Any]]:
        return (await self.get("/indicators", fresh_for=CATALOGUE_FRESH)).data  # type: ignore[no-any-return]

    async def indicator_periods(self, token: str, city: str) -> dict[str, list[str]]:
        return await self._read(token, f"/cities/{city}/indicators", {})  # type: ignore[no-any-return]

    async def indicator(self, token: str, city: str, code: str, period: str) -> list[dict[str, Any]]:
        return await self._read(token, f"/cities/{city}/indicators/{code}", {"period": period})  # type: ignore[no-any-return]

    async def compare(
        self, token: str | None, code: str, period: str, cities: list[str]
    ) -> dict[str, list[dict[str, Any]]]:
        params: Params = {"period": period, "cities": cities}
        if token is None:
            return (await self.get(f"/indicators/{code}/compare", params, fresh_for=OPEN_FRESH)).data  # type: ignore[no-any-return]
        return await self._read(token, f"/indicators/{code}/compare", params)  # type: ignore[no-any-return]

    async def upload(
        self, token: str, city: str, code: str, period: str, body: bytes, content_type: str
    ) -> dict[str, Any]:
        data, _ = await self.send(
            "POST", f"/cities/{city}/indicators/{code}/datasets", token=token, params={"period": period},
            content=body, headers={"Content-Type": content_type},
        )  # fmt: skip
        return data  # type: ignore[no-any-return]

    async def districts(self, token: str | None, city: str) -> dict[str, Any]:
        if token is None:
            return (await self.get(f"/open/cities/{city}/districts", fresh_for=OPEN_FRESH)).data  # type: ignore[no-any-return]
        return await self._read(token, f"/cities/{city}/districts", {})  # type: ignore[no-any-return]

    async def upload_districts(self, token: str, city: str, body: bytes) -> dict[str, Any]:
        data, _ = await self.send(
            "PUT", f"/cities/{city}/districts", token=token, content=body,
            headers={"Content-Type": "application/geo+json"},
        )  # fmt: skip
        return data  # type: ignore[no-any-return]

    # ------------------------------------------------------------------------------------ open data

    async def open_policy(self, city: str) -> dict[str, list[str]]:
        return (await self.get(f"/open/cities/{city}", fresh_for=OPEN_FRESH)).data  # type: ignore[no-any-return]

    async def set_open_policy(self, token: str, city: str, metrics: list[str], indicators: list[str]) -> Any:
        data, _ = await self.send(
            "PUT",
            f"/cities/{city}/open-data",
            token=token,
            json={"metrics": metrics, "indicators": indicators},
        )
        return data

    async def open_series(self, city: str, metric: str, start: datetime, end: datetime) -> dict[str, Any]:
        params: Params = {"metric": metric, "start": _iso(start), "end": _iso(end)}
        return (await self.get(f"/open/cities/{city}/series", params, fresh_for=OPEN_FRESH)).data  # type: ignore[no-any-return]

    async def open_indicator_periods(self, city: str) -> dict[str, list[str]]:
        return (await self.get(f"/open/cities/{city}/indicators", fresh_for=OPEN_FRESH)).data  # type: ignore[no-any-return]

    async def open_indicator(self, city: str, code: str, period: str) -> list[dict[str, Any]]:
        params: Params = {"period": period}
        return (await self.get(f"/open/cities/{city}/indicators/{code}", params, fresh_for=OPEN_FRESH)).data  # type: ignore[no-any-return]

    async def open_raw(self, path: str, params: Params) -> tuple[bytes, str]:
        """An open-data download (CSV or JSON-stat) as the API made it; no token, nothing kept."""
        status, body, headers = await self._exchange("GET", path, params=params, headers={})
        if status >= 400:
            raise self._refusal(status, self._decode(status, body))
        return body, headers.get("content-type", "application/octet-stream")
