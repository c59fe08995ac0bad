"""The ask API as counsellors and editors use it from the back office.

A counsellor's profile (topics and languages they answer), the queue of open questions they may answer,
claiming, answering, asking back, handing over and closing, reporting abuse, readers' suggestions and
tips on items, and FAQ entries from questions whose askers consented. Every call carries the signed-in
person's access token; the ask service decides what they may see.
"""

from __future__ import annotations

from witaj.web.clients.workbench import StaffClient


class CounsellingClient(StaffClient):
    service = "ask"
