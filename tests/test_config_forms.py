"""Configuration as forms, its pure parts: a posted form becomes the merge patch the controller is
sent, the real schema's refusal of it comes back next to the field it is about in both languages,
and two configs' differences are lines a director reads (PIN hashes never shown)."""
from __future__ import annotations

import copy

import pytest

from config.changes import changes, summary
from config.loader import merge_patch
from config.schema import ConfigError, validate
from web.config_forms import (APPOINTMENTS, CATEGORY, FORECAST, ITEM, NOTICE, RATINGS, REMOTE, RULES, STAFF, SUPERVISION,
                              TIDAL, WINDOW, errors_by_field, patch_of, problem_words, problems_of, staff_fields,
                              values_of)

CATEGORY_FORM = {"name_zh": "残疾人证", "name_en": "Disability card", "prefix": "Q", "daily_cap": "80",
                 "default_service_s": "", "order": "9", "allow_green": "1", "when_unserved": "issue"}
ITEM_FORM = {"name_zh": "残疾人证新办", "name_en": "New disability card", "category": "disab",
             "guide_basis_zh": "《残疾人保障法》", "guide_basis_en": "Disability Act",
             "guide_conditions_zh": "本市户籍", "guide_conditions_en": "Registered here",
             "guide_materials": "身份证 | ID card | 1\n照片 | Photo | 2", "guide_steps": "取号 | Take a ticket\n受理 | Apply",
             "guide_legal_limit_days": "20", "guide_promised_limit_days": "10", "guide_fees_zh": "不收费",
             "guide_fees_en": "Free", "guide_phone": "12345"}


def refusal(raw: dict, patch: dict) -> list[tuple[str, str]]:
    """What the controller would answer: the real schema's problems, as the reply carries them."""
    with pytest.raises(ConfigError) as exc:
        validate(merge_patch(raw, patch))
    return problems_of({"ok": False, "error": {"code": "bad_request", "problems": [
        {"key": k, "message": m} for k, m in exc.value.problems]}})


def test_a_category_and_its_item_from_their_forms_validate_as_the_hall_config(demo_raw):
    category, item = patch_of(CATEGORY, CATEGORY_FORM), patch_of(ITEM, ITEM_FORM)
    assert category == {"name": {"zh": "残疾人证", "en": "Disability card"}, "prefix": "Q", "daily_cap": 80,
                        "default_service_s": None, "order": 9, "allow_green": True, "when_unserved": "issue"}
    assert item["guide"]["materials"] == [{"name": {"zh": "身份证", "en": "ID card"}, "copies": 1},
                                          {"name": {"zh": "照片", "en": "Photo"}, "copies": 2}]
    config = validate(merge_patch(demo_raw, {"categories": {"disab": category}, "items": {"Q01": item}}))
    assert config.categories["disab"].default_service_s == 600  # blank: the default
    assert config.items["Q01"].guide.steps[1].en == "Apply"
    assert values_of(CATEGORY, config.model_dump(mode="json")["categories"]["disab"])["daily_cap"] == "80"
    shown = values_of(ITEM, config.model_dump(mode="json")["items"]["Q01"])
    assert shown["guide_materials"] == "身份证 | ID card | 1 | 原件\n照片 | Photo | 2 | 原件"
    assert shown["guide_steps"] == ITEM_FORM["guide_steps"]


def test_every_item_and_the_appointments_of_the_demo_hall_go_through_their_forms_unchanged(demo_raw):
    """Nothing a form does not show is lost when an entry is saved again as it was shown: a
    document's copy or note, an off-hours span open on holidays."""
    config = validate(demo_raw).model_dump(mode="json")
    for item_id, item in config["items"].items():
        again = validate(merge_patch(config, {"items": {item_id: patch_of(ITEM, values_of(ITEM, item))}}))
        assert again.model_dump(mode="json")["items"][item_id] == item, item_id
    for section, form in (("appointments", APPOINTMENTS), ("rules", RULES), ("supervision", SUPERVISION),
                          ("tidal", TIDAL), ("notice", NOTICE), ("forecast", FORECAST),
                          ("ratings", RATINGS), ("remote", REMOTE)):
        again = validate(merge_patch(config, patch_of(form, values_of(form, config), config))).model_dump(mode="json")
        assert again == config, section
    for base, form in (("windows", WINDOW), ("categories", CATEGORY)):
        for code in config[base]:
            entry = patch_of(form, values_of(form, config[base][code]))
            assert validate(merge_patch(config, {base: {code: entry}})).model_dump(mode="json") == config, code


def test_a_bad_value_is_said_next_to_its_field_in_chinese_and_english(demo_raw):
    bad = patch_of(CATEGORY, {**CATEGORY_FORM, "prefix": "q", "daily_cap": "many"})
    problems = refusal(demo_raw, {"categories": {"disab": bad}})
    zh = errors_by_field(CATEGORY, problems, "categories.disab", "zh")
    en = errors_by_field(CATEGORY, problems, "categories.disab", "en")
    assert zh == {"daily_cap": "须为整数，不能是 'many'"}  # the schema stops at types before its cross checks
    assert en == {"daily_cap": "must be a whole number, not 'many'"}
    problems = refusal(demo_raw, {"categories": {"disab": patch_of(CATEGORY, {**CATEGORY_FORM, "prefix": "q"})}})
    assert errors_by_field(CATEGORY, problems, "categories.disab", "zh") == {
        "prefix": "票号字母须为一个大写字母 A-Z（语音按字母名称播报）"}
    missing = patch_of(CATEGORY, {**CATEGORY_FORM, "name_en": ""})
    assert errors_by_field(CATEGORY, refusal(demo_raw, {"categories": {"disab": missing}}), "categories.disab",
                           "zh") == {"name_en": "必须填写"}


def test_an_item_promising_more_than_the_law_and_a_window_of_no_category_are_refused_in_words(demo_raw):
    item = patch_of(ITEM, {**ITEM_FORM, "category": "general", "guide_promised_limit_days": "30"})
    found = errors_by_field(ITEM, refusal(demo_raw, {"items": {"Q01": item}}), "items.Q01", "zh")
    assert found == {"guide_promised_limit_days": "承诺时限不能超过法定时限"}  # the guide's check names the field
    window = patch_of(WINDOW, {"primary": "nosuch", "secondary": "", "green_channel": "1"})
    assert window["name"] is None  # an optional name left blank is no name
    found = errors_by_field(WINDOW, refusal(demo_raw, {"windows": {"12": window}}), "windows.12", "zh")
    assert found == {"primary": "没有业务类别 nosuch"}
    empty = patch_of(WINDOW, {"primary": ""})
    assert errors_by_field(WINDOW, refusal(demo_raw, {"windows": {"12": empty}}), "windows.12", "en") == {
        "primary": "needs at least 1 entries"}


def test_the_rules_form_patches_the_hall_itself_and_a_bad_span_is_said_at_its_field(demo_raw):
    rules = patch_of(RULES, {"queue_max_calls": "2", "ticketing_hours": "08:30-12:00\n13:30-17:00",
                             "calendar_holidays": "2026-12-31"})
    config = validate(merge_patch(demo_raw, rules))
    assert config.ticketing_hours == [("08:30", "12:00"), ("13:30", "17:00")] and config.queue.max_calls == 2
    assert config.calendar.holidays == ["2026-12-31"]
    bad = patch_of(RULES, {"queue_max_calls": "0", "ticketing_hours": "12:00-08:30"})
    found = errors_by_field(RULES, refusal(demo_raw, bad), "", "zh")
    assert found["queue_max_calls"] == "不能小于 1（填写的是 0）"
    assert found["ticketing_hours"].startswith("时段 '12:00'-'08:30' 有误")


def test_the_supervision_form_sets_every_rule_and_limits_by_service_and_says_a_bad_one_at_its_field(demo_raw):
    config = validate(demo_raw).model_dump(mode="json")
    shown = values_of(SUPERVISION, config)
    posted = {**shown, "supervision_no_call_yellow_s": "120", "supervision_no_call_red_s": "600",
              "supervision_pause_red_s": "2400", "supervision_unstaffed_yellow_s": "60",
              "supervision_staffed_windows": "1, 2", "supervision_categories": "tax 600 1200 - -\ngeneral - - 900 1800"}
    made = validate(merge_patch(config, patch_of(SUPERVISION, posted, config)))
    assert made.supervision.no_call.yellow_s == 120 and made.supervision.pause.red_s == 2400
    assert made.supervision.unstaffed.yellow_s == 60 and made.supervision.staffed_windows == [1, 2]
    assert made.supervision.limit("wait", "tax").red_s == 1200 and made.supervision.limit("service", "tax").red_s == 3600
    assert made.supervision.limit("service", "general").yellow_s == 900
    again = made.model_dump(mode="json")
    assert values_of(SUPERVISION, again)["supervision_categories"] == "tax 600 1200\ngeneral - - 900 1800"
    # a row taken out of the table is taken out of the config (the table replaces the one it showed)
    fewer = patch_of(SUPERVISION, {**values_of(SUPERVISION, again), "supervision_categories": "tax 600 1200"}, again)
    assert list(validate(merge_patch(again, fewer)).supervision.categories) == ["tax"]
    cards = patch_of(SUPERVISION, {**shown, "supervision_pause_yellow_s": "900", "supervision_pause_red_s": "600"}, config)
    assert errors_by_field(SUPERVISION, refusal(config, cards), "", "zh") == {"supervision_pause_red_s": "红牌时限须大于黄牌时限"}
    bad = patch_of(SUPERVISION, {**shown, "supervision_categories": "tax 600\nnosuch 60 120"}, config)
    assert errors_by_field(SUPERVISION, refusal(config, bad), "", "zh") == {
        "supervision_categories": "tax.wait.red_s: 必须填写"}
    bad = patch_of(SUPERVISION, {**shown, "supervision_categories": "nosuch 60 120",
                                 "supervision_staffed_windows": "77"}, config)
    assert errors_by_field(SUPERVISION, refusal(config, bad), "", "en") == {
        "supervision_categories": "nosuch: unknown category 'nosuch'", "supervision_staffed_windows": "unknown window 77"}


def test_the_tidal_form_sets_the_thresholds_the_rota_and_rules_by_service_and_refuses_a_switch_back_above_in(demo_raw):
    config = validate(demo_raw).model_dump(mode="json")
    shown = values_of(TIDAL, config)
    posted = {**shown, "tidal_open_wait_s": "900", "tidal_policy": "rota", "tidal_rota_need_above": "1.2",
              "tidal_categories": "tax 600 - 100 1\ngeneral - - - - 停用"}
    made = validate(merge_patch(config, patch_of(TIDAL, posted, config)))
    assert made.tidal.open_wait_s == 900 and made.tidal.policy == "rota" and made.tidal.rota.need_above == 1.2
    assert made.tidal.rule("tax") == {"enabled": True, "open_wait_s": 600, "open_oldest_wait_s": 1800,
                                      "close_wait_s": 100, "max_windows": 1}
    assert made.tidal.rule("general")["enabled"] is False
    assert values_of(TIDAL, made.model_dump(mode="json"))["tidal_categories"] == "tax 600 - 100 1\ngeneral 停用"
    bad = patch_of(TIDAL, {**shown, "tidal_close_wait_s": "1500"}, config)
    assert errors_by_field(TIDAL, refusal(config, bad), "", "zh") == {
        "tidal_close_wait_s": "调回的预计等候须小于调入的预计等候"}
    bad = patch_of(TIDAL, {**shown, "tidal_categories": "tax 600 - 700"}, config)
    assert errors_by_field(TIDAL, refusal(config, bad), "", "zh") == {
        "tidal_categories": "tax: 调回的预计等候须小于调入的预计等候"}
    bad = patch_of(TIDAL, {**shown, "tidal_rota_lend_below": "0.95", "tidal_max_windows": "三"}, config)
    assert errors_by_field(TIDAL, refusal(config, bad), "", "en") == {
        "tidal_max_windows": "must be a whole number, not '三'",
        "tidal_rota_lend_below": "lend_below must be below need_above (a lender must not be the next borrower)"}
    assert errors_by_field(TIDAL, refusal(config, bad), "", "zh")["tidal_rota_lend_below"] == \
        "可借出的负荷须小于借入的负荷（借出的业务不能随即又要借入）"


def test_the_notice_line_is_set_in_both_languages_taken_away_blank_and_one_language_alone_is_refused(demo_raw):
    config = validate(demo_raw).model_dump(mode="json")
    posted = {"notice_zh": "今天下午三点起暂停办理不动产登记", "notice_en": "No property registration from 15:00 today"}
    made = validate(merge_patch(config, patch_of(NOTICE, posted))).model_dump(mode="json")
    assert made["notice"] == {"zh": posted["notice_zh"], "en": posted["notice_en"]}
    assert values_of(NOTICE, made) == posted
    assert patch_of(NOTICE, {"notice_zh": " ", "notice_en": ""}) == {"notice": None}  # none shown
    assert validate(merge_patch(made, patch_of(NOTICE, {}))).notice is None
    alone = patch_of(NOTICE, {"notice_zh": "暂停办理"})
    assert errors_by_field(NOTICE, refusal(config, alone), "", "zh") == {"notice_en": "必须填写"}
    long = patch_of(NOTICE, {"notice_zh": "长" * 201, "notice_en": "long"})
    assert errors_by_field(NOTICE, refusal(config, long), "", "zh") == {"notice_zh": "最多 200 个字"}


def test_the_appointments_form_sets_booking_rules_by_service_and_item_the_blacklist_and_the_minutes(demo_raw):
    config = validate(demo_raw).model_dump(mode="json")
    shown = values_of(APPOINTMENTS, config)
    item = next(iter(config["items"]))
    posted = {**shown, "appointments_min_lead_minutes": "45", "appointments_cancel_before_minutes": "120",
              "appointments_late_as_walk_in": "", "appointments_categories": "tax 20 2\ngeneral - - 停用",
              "appointments_items": f"{item} - 1", "appointments_blacklist_no_shows": "2",
              "appointments_blacklist_bar_days": "180", "appointments_off_hours_capacity": "3"}
    made = validate(merge_patch(config, patch_of(APPOINTMENTS, posted, config))).appointments
    assert (made.min_lead_minutes, made.cancel_before_minutes, made.late_as_walk_in) == (45, 120, False)
    assert made.categories["tax"].slot_minutes == 20 and made.categories["tax"].capacity == 2
    assert made.categories["general"].enabled is False and made.items[item].capacity == 1
    assert (made.blacklist.no_shows, made.blacklist.bar_days, made.off_hours.capacity) == (2, 180, 3)
    bad = patch_of(APPOINTMENTS, {**shown, "appointments_cancel_before_minutes": "3000",
                                  "appointments_items": "nosuch 30 2", "appointments_categories": "tax 2"}, config)
    assert errors_by_field(APPOINTMENTS, refusal(config, bad), "", "zh") == {
        "appointments_cancel_before_minutes": "不能大于 2880（填写的是 3000）",
        "appointments_categories": "tax.slot_minutes: 不能小于 5（填写的是 2）"}
    bad = patch_of(APPOINTMENTS, {**shown, "appointments_items": "nosuch 30 2"}, config)
    assert errors_by_field(APPOINTMENTS, refusal(config, bad), "", "en") == {
        "appointments_items": "nosuch: unknown item 'nosuch'"}
    days = patch_of(APPOINTMENTS, {**shown, "appointments_off_hours_min_working_days": "6",
                                   "appointments_off_hours_max_working_days": "3"}, config)
    assert errors_by_field(APPOINTMENTS, refusal(config, days), "", "zh") == {
        "appointments_off_hours_max_working_days": "最多提前的天数不能少于至少提前的天数"}


def test_the_forecast_form_sets_the_learning_and_the_cold_start_and_says_a_bad_rate_at_its_field(demo_raw):
    config = validate(demo_raw).model_dump(mode="json")
    shown = values_of(FORECAST, config)
    posted = {**shown, "forecast_weeks": "4", "forecast_cold_start": "9 tax 12\n09 general 3.5\n10 tax 8"}
    made = validate(merge_patch(config, patch_of(FORECAST, posted, config))).model_dump(mode="json")
    assert made["forecast"]["weeks"] == 4
    assert made["forecast"]["cold_start"] == {"09": {"tax": 12, "general": 3.5}, "10": {"tax": 8}}
    assert values_of(FORECAST, made)["forecast_cold_start"] == "09 tax 12\n09 general 3.5\n10 tax 8"
    fewer = patch_of(FORECAST, {**posted, "forecast_cold_start": "09 tax 12"}, made)
    assert validate(merge_patch(made, fewer)).forecast.cold_start == {"09": {"tax": 12}}  # the rest taken out
    bad = patch_of(FORECAST, {**shown, "forecast_weeks": "60", "forecast_cold_start": "10 tax many"}, config)
    assert errors_by_field(FORECAST, refusal(config, bad), "", "zh") == {
        "forecast_weeks": "不能大于 52（填写的是 60）", "forecast_cold_start": "10.tax: 须为数字，不能是 'many'"}
    unknown = patch_of(FORECAST, {**shown, "forecast_cold_start": "10 nosuch 3"}, config)
    assert errors_by_field(FORECAST, refusal(config, unknown), "", "en") == {
        "forecast_cold_start": "10.nosuch: unknown category 'nosuch'"}


def test_the_ratings_form_sets_the_deadlines_the_reasons_and_the_outbox_and_says_a_bad_one_at_its_field(demo_raw):
    config = validate(demo_raw).model_dump(mode="json")
    shown = values_of(RATINGS, config)
    assert shown["ratings_reasons"].splitlines()[1] == "slow | 办理效率低 | Too slow"
    posted = {**shown, "ratings_followup_working_days": "3", "cases_complaint_working_days": "7",
              "ratings_reasons": "slow | 办理效率低 | Too slow\nother | 其他 | Other",
              "rating_reports_enabled": "1", "rating_reports_url": "https://pj.example.gov.cn/api/rate?key=s3cret",
              "rating_reports_headers": "Authorization: Bearer t0ken\nX-App-Id: hall7",
              "rating_reports_backoff_s": "2.5", "rating_reports_fields": "application_no bjbh\nlevel pjdj",
              "rating_reports_channels": "qr 3\nkiosk 2"}
    made = validate(merge_patch(config, patch_of(RATINGS, posted, config)))
    assert made.ratings.followup_working_days == 3 and made.cases.complaint_working_days == 7
    assert list(made.ratings.reasons) == ["slow", "other"]  # the reasons no longer listed are gone
    reports = made.rating_reports
    assert reports.enabled and reports.url.endswith("key=s3cret") and reports.backoff_s == 2.5
    assert reports.headers == {"Authorization": "Bearer t0ken", "X-App-Id": "hall7"}
    assert reports.fields == {"application_no": "bjbh", "level": "pjdj"} and reports.channels == {"qr": "3", "kiosk": "2"}
    again = made.model_dump(mode="json")
    shown = values_of(RATINGS, again)
    assert shown["rating_reports_url"] == shown["rating_reports_headers"] == ""  # a secret is never shown
    assert shown["rating_reports_fields"] == "application_no bjbh\nlevel pjdj"
    kept = validate(merge_patch(again, patch_of(RATINGS, {**shown, "rating_reports_batch": "20"}, again)))
    assert kept.rating_reports.headers == reports.headers and kept.rating_reports.url == reports.url  # blank keeps
    assert kept.rating_reports.batch == 20
    new = patch_of(RATINGS, {**shown, "rating_reports_headers": "Authorization: Bearer new"}, again)
    assert validate(merge_patch(again, new)).rating_reports.headers == {"Authorization": "Bearer new"}  # replaced whole
    cleared = patch_of(RATINGS, {**shown, "rating_reports_enabled": "", "rating_reports_url": "-",
                                 "rating_reports_headers": "-"}, again)
    assert validate(merge_patch(again, cleared)).rating_reports.url is None
    assert validate(merge_patch(again, cleared)).rating_reports.headers == {}
    no_url = patch_of(RATINGS, {**shown, "rating_reports_url": "-"}, again)
    assert errors_by_field(RATINGS, refusal(again, no_url), "", "zh") == {"rating_reports_url": "开启上报须填写平台接收地址"}
    bad = patch_of(RATINGS, {**shown, "rating_reports_url": "ftp://pj.example/?key=s3cret",
                             "ratings_followup_working_days": "0"}, again)
    found = errors_by_field(RATINGS, refusal(again, bad), "", "en")
    assert found == {"ratings_followup_working_days": "must be at least 1, not 0",
                     "rating_reports_url": "bad address '…': use http(s)://host[:port]/path"}  # the typed secret not said
    bad = patch_of(RATINGS, {**shown, "rating_reports_backoff_max_s": "1", "rating_reports_backoff_s": "5",
                             "rating_reports_fields": "nosuch x"}, again)
    assert errors_by_field(RATINGS, refusal(again, bad), "", "zh") == {
        "rating_reports_fields": "没有数据项 nosuch"}  # a field's own check comes before the section's
    bad = patch_of(RATINGS, {**shown, "rating_reports_backoff_max_s": "1", "rating_reports_backoff_s": "5",
                             "rating_reports_channels": "phone 9"}, again)
    assert errors_by_field(RATINGS, refusal(again, bad), "", "zh") == {
        "rating_reports_channels": "没有评价渠道 phone（可用 evaluator、kiosk、qr）"}
    bad = patch_of(RATINGS, {**shown, "rating_reports_backoff_max_s": "1", "rating_reports_backoff_s": "5"}, again)
    assert errors_by_field(RATINGS, refusal(again, bad), "", "zh") == {
        "rating_reports_backoff_max_s": "最长重试间隔不能小于首次重试间隔"}
    none = patch_of(RATINGS, {**shown, "ratings_reasons": ""}, again)
    assert errors_by_field(RATINGS, refusal(again, none), "", "zh") == {"ratings_reasons": "至少填写 1 项"}


def test_the_remote_form_offers_services_sets_the_code_and_the_locks_and_refuses_remote_tickets_without_a_notifier(demo_raw):
    config = validate(demo_raw).model_dump(mode="json")
    shown = values_of(REMOTE, config)
    assert shown["remote_ticket_categories"] == "social\ntax 100"
    posted = {**shown, "remote_ticket_enabled": "1", "remote_ticket_categories": "social 40\ntax - 停用\ngeneral",
              "appointments_notify_backend": "webhook", "appointments_notify_url": "https://sms.example/send?k=x",
              "remote_ticket_code_valid_s": "600", "pin_lock_max_wrong": "3", "progress_lock_lock_s": "1800",
              "privacy_retention_days": "90"}
    made = validate(merge_patch(config, patch_of(REMOTE, posted, config)))
    remote = made.remote_ticket
    assert remote.enabled and remote.offered("social") and remote.offered("general") and not remote.offered("tax")
    assert remote.categories["social"].daily_cap == 40 and remote.categories["general"].daily_cap is None
    assert remote.code.valid_s == 600 and made.pin_lock.max_wrong == 3 and made.progress_lock.lock_s == 1800
    assert made.privacy.retention_days == 90 and made.appointments.notify.url == "https://sms.example/send?k=x"
    assert values_of(REMOTE, made.model_dump(mode="json"))["appointments_notify_url"] == ""
    alone = patch_of(REMOTE, {**shown, "remote_ticket_enabled": "1"}, config)
    assert errors_by_field(REMOTE, refusal(config, alone), "", "zh") == {
        "remote_ticket_enabled": "线上取号的验证码须经短信通知发送：请先把短信通知设为 webhook（短信网关）或 log"}
    nothing = patch_of(REMOTE, {**shown, "remote_ticket_enabled": "1", "appointments_notify_backend": "log",
                                "remote_ticket_categories": "social 停用\ntax 100 停用"}, config)
    assert errors_by_field(REMOTE, refusal(config, nothing), "", "zh") == {
        "remote_ticket_categories": "已开放线上取号，但没有业务开放：请至少列出一项业务"}
    unknown = patch_of(REMOTE, {**shown, "remote_ticket_categories": "social\nnosuch 5"}, config)
    assert errors_by_field(REMOTE, refusal(config, unknown), "", "en") == {
        "remote_ticket_categories": "nosuch: unknown category 'nosuch'"}
    bad = patch_of(REMOTE, {**shown, "remote_ticket_code_resend_s": "400", "remote_ticket_code_valid_s": "300",
                            "pin_lock_lock_s": "5", "privacy_retention_days": "一年"}, config)
    assert errors_by_field(REMOTE, refusal(config, bad), "", "zh") == {
        "remote_ticket_code_resend_s": "验证码重发间隔须短于有效期", "pin_lock_lock_s": "不能小于 10（填写的是 5）",
        "privacy_retention_days": "须为整数，不能是 '一年'"}
    hook = patch_of(REMOTE, {**shown, "appointments_notify_backend": "webhook"}, config)
    assert errors_by_field(REMOTE, refusal(config, hook), "", "zh") == {
        "appointments_notify_url": "短信通知为 webhook 时须填写短信网关地址"}


def test_the_staff_form_sends_the_pin_as_typed_and_a_blank_pin_keeps_it():
    assert staff_fields("2001", {"name": " 王芳 ", "windows": "3, 4", "pin": "4321"}) == {
        "staff_id": "2001", "name": "王芳", "windows": [3, 4], "pin": "4321"}
    assert "pin" not in staff_fields("2001", {"name": "王芳", "windows": "", "pin": ""})
    assert errors_by_field(STAFF, [("staff.2001.pin_hash", "a new member of staff needs a PIN")], "staff.2001",
                           "zh") == {"pin": "新工作人员须设置 PIN"}
    assert problem_words("something new", "zh") == "设置有误：something new"


def test_two_configs_differ_in_lines_that_never_show_a_pin_hash(demo_raw):
    new = copy.deepcopy(demo_raw)
    new["categories"]["general"]["daily_cap"] = 12
    new["windows"][40] = {"primary": ["general"]}
    staff_id = next(iter(new["staff"]))
    new["staff"][staff_id]["pin_hash"] = "pbkdf2_sha256$1$00$" + "0" * 64
    del new["items"][next(iter(new["items"]))]
    found = changes(demo_raw, new)
    assert {"path": "categories.general.daily_cap", "kind": "changed", "before": demo_raw["categories"]["general"].get(
        "daily_cap"), "after": 12} in found
    assert {"path": f"staff.{staff_id}.pin_hash", "kind": "changed", "before": "******", "after": "******"} in found
    assert not any("pbkdf2" in str(line) for line in found)
    new["rating_reports"] = {"enabled": True, "url": "https://pj.example/api?key=s3cret",
                             "headers": {"Authorization": "Bearer t0ken"}}
    newer = copy.deepcopy(new)
    newer["rating_reports"]["headers"]["Authorization"] = "Bearer n3w"
    found = changes(demo_raw, new) + changes(new, newer)
    assert {"path": "rating_reports", "kind": "added", "before": None,
            "after": {"enabled": True, "url": "******", "headers": "******"}} in found
    assert {"path": "rating_reports.headers.Authorization", "kind": "changed", "before": "******",
            "after": "******"} in found
    assert not any("s3cret" in str(line) or "t0ken" in str(line) or "n3w" in str(line) for line in found)
    kinds = {line["path"]: line["kind"] for line in summary(found)}
    assert kinds["categories.general"] == "changed" and kinds["windows.40"] == "added"
    assert kinds[f"staff.{staff_id}"] == "changed" and "removed" in kinds.values()


def test_the_history_page_masks_staff_names_and_says_each_change_in_words():
    from web.presenters.console_config import versions_page

    history = {"current": 3, "versions": [
        {"version": 3, "when": "2026-12-02 09:10", "user": "li.ming", "device": "admin-T1", "source": "admin",
         "summary": [{"path": "staff.1009", "kind": "added"}], "restored": None},
        {"version": 2, "when": "2026-12-02 09:00", "user": None, "device": "controller", "source": "file",
         "summary": [], "restored": None}],
        "shown": {"version": 3, "before": 2, "changes": [
            {"path": "staff.1009", "kind": "added", "before": None,
             "after": {"name": "周敏", "pin_hash": "******", "windows": [9]}}]}}
    page = versions_page(history, "zh", can_change=True)
    assert [(r["label"], r["by"], r["source"], r["changed"]) for r in page["rows"]] == [
        ("3（当前）", "li.ming", "控制台/管理命令", "新增 工作人员 1009"), ("2", "controller", "配置文件", "")]
    assert page["shown"]["lines"][0]["after"] == '{"name": "周*", "pin_hash": "******", "windows": [9]}'
    assert versions_page(history, "en", can_change=False)["rows"][0]["changed"] == "added staff 1009"
