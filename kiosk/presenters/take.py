"""Taking a ticket: the queue group, optional real name, and appointment check-in."""
from __future__ import annotations

import logging
import re

from contract.privacy import hash_id_number, mask_name, mask_phone

from .. import words as w
from ..words import Bi
from .base import CODE_CHARS, Entry, EntryPresenter, PhoneEntry, Presenter

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")
CODE = re.compile(r"^[A-Za-z0-9-]{4,32}$")
ID_HASH = re.compile(r"^[0-9a-f]{64}$")
log = logging.getLogger("kiosk")


class Take(Presenter):
    def __init__(self, kiosk):
        super().__init__()
        self.kiosk = kiosk
        self.phone = PhoneEntry(12)
        self.reset()

    def reset(self) -> None:
        self.category: str | None = None
        self.item: str | None = None
        self.confirming: str | None = None
        self.applicant: dict = {}
        self.shown_applicant: Bi | None = None
        self.phone.clear()
        self.phone_error: Bi | None = None
        self.error: tuple[Bi, Bi | None] | None = None

    def start(self, category: str | None = None, item: str | None = None) -> None:
        self.reset()
        hall = self.kiosk.hall
        if item is not None:
            found = hall.item(item)
            if found is None:
                return
            self.item, self.category = item, found.category
        else:
            self.category = category
        self.kiosk.go("group")

    # --- what the screen shows ------------------------------------------------------------------

    @property
    def target(self) -> Bi:
        hall = self.kiosk.hall
        cat = hall.category(self.category) if self.category else None
        item = hall.item(self.item)
        if item and cat:
            return Bi(f"{item.name.zh}（{cat.name.zh}）", f"{item.name.en} ({cat.name.en})")
        return cat.name if cat else Bi("", "")

    def queue_line(self) -> Bi:
        cat = self.kiosk.hall.category(self.category) if self.category else None
        if cat is None:
            return Bi("", "")
        waiting, wait = w.fmt(w.WAITING, n=cat.waiting), w.category_wait(cat)
        return Bi(f"{waiting.zh}，{wait.zh}", f"{waiting.en}, {wait.en}")

    def groups(self) -> list[tuple[str, Bi]]:
        """The groups this category offers: green only where the hall allows it."""
        cat = self.kiosk.hall.category(self.category) if self.category else None
        if cat is None or not cat.takes_tickets:
            return []
        codes = ["normal", "priority"] + (["green"] if cat.allow_green else [])
        return [(code, w.GROUPS[code]) for code in codes]

    def confirm_text(self) -> Bi | None:
        return {"priority": w.PRIORITY_CONFIRM, "green": w.GREEN_CONFIRM}.get(self.confirming or "")

    # --- touches ----------------------------------------------------------------------------------

    def choose(self, group: str) -> None:
        if self.kiosk.busy or group not in dict(self.groups()):
            return
        self.error = None
        if group in ("priority", "green"):
            self.confirming = group
            self.changed()
        else:
            self.take(group)

    def confirm(self) -> None:
        group, self.confirming = self.confirming, None
        if group:
            self.take(group)
        self.changed()

    def cancel(self) -> None:
        self.confirming = None
        self.changed()

    def take(self, group: str) -> None:
        fields: dict = {"item": self.item} if self.item else {"category": self.category}
        fields["group"] = group
        if self.applicant:
            fields["applicant"] = dict(self.applicant)
        self.kiosk.obtain_ticket("issue_ticket", fields, self.show_error)
        self.changed()

    def show_error(self, headline: Bi, detail: Bi | None) -> None:
        self.error = (headline, detail)
        self.changed()

    # --- real name (optional) ---------------------------------------------------------------------

    def open_phone(self) -> None:
        self.phone.clear()
        self.phone_error = None
        self.kiosk.go("phone")

    def press(self, key: str) -> None:
        self.phone.press(key)
        self.phone_error = None
        self.changed()

    def delete(self) -> None:
        self.phone.delete()
        self.changed()

    @property
    def phone_shown(self) -> str:
        return self.phone.shown

    @property
    def phone_hint(self) -> Bi:
        """The ID card is offered only where this kiosk has a reader."""
        return w.REAL_NAME_HINT if self.kiosk.has_id_reader else w.REAL_NAME_HINT_PHONE

    def phone_done(self) -> None:
        digits = self.phone.text
        if not (MOBILE.match(digits) or LANDLINE.match(digits)):
            self.phone_error = w.PHONE_BAD
            self.changed()
            return
        self.applicant["phone"] = digits
        self.shown_applicant = Bi(f"{w.REGISTERED.zh} {mask_phone(digits)}", f"{w.REGISTERED.en} {mask_phone(digits)}")
        self.phone.clear()
        self.kiosk.go("group")

    def phone_cancel(self) -> None:
        self.phone.clear()
        self.kiosk.go("group")

    def card_read(self, event: dict) -> None:
        """An ID card on the reader (the bridge's card event): only the salted hash and the masked name go on.

        The bridge hashes the number with the hall's salt before anything leaves it; a raw
        `id_number` (a reader wired to the kiosk itself) is hashed here with the same salt, and
        dropped by a kiosk given no salt (`--id-salt-file`): a hash with a salt anyone knows is
        as good as the number.
        """
        if self.kiosk.screen not in ("group", "phone") or not isinstance(event, dict):
            return
        id_hash = event.get("id_hash")
        if event.get("id_number"):
            if not self.kiosk.id_salt:
                log.warning("an ID card read with its number, but this kiosk has no --id-salt-file: dropped")
                return
            id_hash = hash_id_number(str(event["id_number"]), self.kiosk.id_salt)
        if not (isinstance(id_hash, str) and ID_HASH.match(id_hash)):
            return
        masked = mask_name(str(event.get("name") or ""))
        self.applicant.update({"id_hash": id_hash, **({"name": masked} if masked else {})})
        self.shown_applicant = Bi(f"{w.REGISTERED.zh} {masked}", f"{w.REGISTERED.en} {masked}")
        if self.kiosk.screen == "phone":
            self.kiosk.go("group")
        self.changed()


class CheckIn(EntryPresenter):
    """Appointment check-in by the code of the booking: the controller gives the ticket."""

    def __init__(self, kiosk):
        super().__init__(kiosk, Entry(CODE_CHARS, 32))

    def submit(self) -> None:
        code = self.entry.text
        if not CODE.match(code):
            self.show_error(w.CODE_BAD)
            return
        self.error = None
        self.kiosk.obtain_ticket("check_in", {"appointment_code": code}, self.show_error)
        self.changed()
