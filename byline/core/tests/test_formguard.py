"""The shared guard for reader forms on cached pages: origin, token, honeypot, rate limit."""

import time

import pytest
from django import forms
from django.core.cache import cache
from django.test import RequestFactory

from byline.core import formguard


class ContactForm(formguard.FormGuardMixin, forms.Form):
    formguard_purpose = "test.contact"
    message = forms.CharField()


class KeepingForm(ContactForm):
    formguard_reject_bots = False


def post(headers=None, remote_addr="203.0.113.7", **meta):
    return RequestFactory().post(
        "/form/", {}, headers=headers or {}, REMOTE_ADDR=remote_addr, **meta
    )


def data(token=None, **extra):
    return {
        "message": "Hello",
        formguard.TOKEN_FIELD: token or formguard.form_token("test.contact", now=time.time() - 10),
        **extra,
    }


class TestOrigin:
    def test_same_origin_passes(self):
        formguard.check_origin(
            post({"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
        )

    @pytest.mark.parametrize("site", ["cross-site", "same-site"])
    def test_fetch_metadata_from_elsewhere_is_refused(self, site):
        with pytest.raises(formguard.Refused) as refused:
            formguard.check_origin(post({"Sec-Fetch-Site": site}))
        assert refused.value.status == 403

    @pytest.mark.parametrize(
        "origin", ["https://evil.example", "null", "http://testserver.evil.example"]
    )
    def test_foreign_origin_is_refused(self, origin):
        with pytest.raises(formguard.Refused):
            formguard.check_origin(post({"Origin": origin}))

    def test_trusted_origin_passes(self, settings):
        settings.CSRF_TRUSTED_ORIGINS = ["https://news.example.com"]
        formguard.check_origin(post({"Origin": "https://news.example.com"}))

    def test_foreign_referer_without_origin_is_refused(self):
        with pytest.raises(formguard.Refused):
            formguard.check_origin(post({"Referer": "https://evil.example/page"}))
        formguard.check_origin(post({"Referer": "http://testserver/blogs/"}))

    @pytest.mark.parametrize("referer", ["http://[", "http://[::1", "https://[not-an-address]/"])
    def test_an_unreadable_referer_is_refused_not_an_error(self, referer):
        with pytest.raises(formguard.Refused) as refused:
            formguard.check_origin(post({"Referer": referer}))
        assert refused.value.status == 403

    def test_no_browser_headers_is_not_a_forgery(self):
        """curl and bots send neither header; they are spam's business, not CSRF's."""
        formguard.check_origin(post())


class TestRate:
    @pytest.mark.parametrize(
        "text,count,seconds",
        [
            ("5/m", 5, 60),
            ("100/h", 100, 3600),
            ("3/10m", 3, 600),
            ("20/day", 20, 86400),
            (" 1 / s ", 1, 1),
        ],
    )
    def test_parse(self, text, count, seconds):
        assert formguard.parse_rate(text) == formguard.Rate(count, seconds)

    @pytest.mark.parametrize("text", ["", "5", "m/5", "0/m", "5/y", "-1/m", "5/0m"])
    def test_parse_refuses_nonsense(self, text):
        with pytest.raises(ValueError):
            formguard.parse_rate(text)

    def test_limit_counts_per_address_per_window(self):
        """3/m: three pass, the fourth in the same minute is a 429; another address and a
        minute with nothing before it start again."""
        now = 60.0 * 1000 + 20  # 20 s into a minute window
        for _ in range(3):
            formguard.rate_limit(post(), scope="t", rate="3/m", now=now)
        with pytest.raises(formguard.Refused) as refused:
            formguard.rate_limit(post(), scope="t", rate="3/m", now=now)
        assert refused.value.status == 429
        assert refused.value.retry_after == 40
        formguard.rate_limit(post(remote_addr="198.51.100.1"), scope="t", rate="3/m", now=now)
        formguard.rate_limit(post(), scope="other", rate="3/m", now=now)
        formguard.rate_limit(post(), scope="t", rate="3/m", now=now + 120)

    def test_a_window_boundary_does_not_reset_the_count(self):
        """Three just before a minute ends use the allowance: a fourth just after the boundary
        is still refused, and passes once enough of the last minute has slid out."""
        start = 60.0 * 2000
        for _ in range(3):
            formguard.rate_limit(post(), scope="t", rate="3/m", now=start + 59)
        with pytest.raises(formguard.Refused) as refused:
            formguard.rate_limit(post(), scope="t", rate="3/m", now=start + 61)
        # 1 now + 3 of the last minute weighted by 59/60 is over 3 until a third of the way in.
        assert refused.value.retry_after == 19
        formguard.rate_limit(post(), scope="t", rate="3/m", now=start + 60 + 40)

    def test_counters_outlive_the_file_caches_default_timeout(
        self, settings, tmp_path, monkeypatch
    ):
        """incr() on the file cache rewrites the entry with the default timeout (300 s); the
        count of a 2/h limit must still be there long after that."""
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
        clock = [3600.0 * 500 + 10]
        monkeypatch.setattr(time, "time", lambda: clock[0])  # the cache's expiry clock too
        for _ in range(2):
            formguard.rate_limit(post(), scope="t", rate="2/h")
        clock[0] += 1200
        with pytest.raises(formguard.Refused):
            formguard.rate_limit(post(), scope="t", rate="2/h")

    def test_addresses_of_one_ipv6_64_share_a_limit(self):
        formguard.rate_limit(post(remote_addr="2001:db8:1:2::a"), scope="t", rate="2/m", now=0.0)
        formguard.rate_limit(post(remote_addr="2001:db8:1:2::b"), scope="t", rate="2/m", now=0.0)
        with pytest.raises(formguard.Refused):
            formguard.rate_limit(
                post(remote_addr="2001:db8:1:2::c"), scope="t", rate="2/m", now=0.0
            )
        formguard.rate_limit(post(remote_addr="2001:db8:1:3::a"), scope="t", rate="2/m", now=0.0)

    def test_cache_holds_no_raw_address(self):
        formguard.rate_limit(post(remote_addr="192.0.2.55"), scope="t", rate="3/m", now=0.0)
        key = f"formguard:rate:t:{formguard.ip_hash('192.0.2.55')}:0"
        assert cache.get(key) == 1
        assert "192.0.2.55" not in key

    def test_check_request_runs_origin_then_rate(self):
        request = post({"Origin": "http://testserver"})
        formguard.check_request(request, scope="c", rate="1/h")
        with pytest.raises(formguard.Refused) as refused:
            formguard.check_request(request, scope="c", rate="1/h")
        assert refused.value.status == 429
        with pytest.raises(formguard.Refused) as refused:
            formguard.check_request(post({"Origin": "https://evil.example"}), scope="d", rate=None)
        assert refused.value.status == 403


class TestAddresses:
    def test_ip_hash_is_salted_and_stable(self, settings):
        first = formguard.ip_hash("192.0.2.1")
        assert first == formguard.ip_hash("192.0.2.1")
        assert first != formguard.ip_hash("192.0.2.2")
        assert "192" not in first
        settings.BYLINE_IP_HASH_SALT = "another salt"
        assert formguard.ip_hash("192.0.2.1") != first

    @pytest.mark.parametrize(
        ("address", "key"),
        [
            ("192.0.2.1", "192.0.2.1"),
            ("::ffff:192.0.2.1", "192.0.2.1"),
            ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
            ("2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
            ("fe80::1%eth0", "fe80::/64"),
            ("not an address", "not an address"),
        ],
    )
    def test_an_ipv6_address_counts_as_its_64(self, address, key):
        assert formguard.address_key(address) == key

    def test_one_hash_for_a_whole_ipv6_64_and_for_a_mapped_ipv4_address(self):
        assert formguard.ip_hash("2001:db8:1:2::1") == formguard.ip_hash("2001:db8:1:2:a:b:c:d")
        assert formguard.ip_hash("2001:db8:1:2::1") != formguard.ip_hash("2001:db8:1:3::1")
        assert formguard.ip_hash("::ffff:192.0.2.1") == formguard.ip_hash("192.0.2.1")

    def test_forwarded_for_is_trusted_only_behind_configured_proxies(self, settings):
        request = post(remote_addr="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.9")
        assert formguard.client_ip(request.META) == "10.0.0.1"
        settings.BYLINE_TRUSTED_PROXIES = 1
        assert formguard.client_ip(request.META) == "192.0.2.9"


class TestFormToken:
    def test_token_is_the_same_for_everyone_at_one_time(self):
        assert formguard.form_token("a", now=100) == formguard.form_token("a", now=100)
        assert formguard.form_token("a", now=100) != formguard.form_token("b", now=100)

    def test_good_form_passes(self):
        form = ContactForm(data())
        assert form.is_valid(), form.errors
        assert form.formguard_bot_signals == []

    @pytest.mark.parametrize(
        "token", ["", "garbage", "123:forged", formguard.form_token("other.form", now=1)]
    )
    def test_forged_or_foreign_token_is_refused_with_a_fresh_one(self, token):
        form = ContactForm(data(token=token or "x"))
        assert not form.is_valid()
        assert form.errors.as_data()["__all__"][0].code == "token_invalid"
        fresh = form.data[formguard.TOKEN_FIELD]
        assert formguard.token_age("test.contact", fresh) < 60
        assert form.data["message"] == "Hello"

    def test_old_token_is_refused(self, settings):
        settings.BYLINE_FORMGUARD_MAX_AGE = 3600
        form = ContactForm(data(token=formguard.form_token("test.contact", now=time.time() - 3601)))
        assert not form.is_valid()
        assert form.errors.as_data()["__all__"][0].code == "token_expired"
        ok = ContactForm(data(token=formguard.form_token("test.contact", now=time.time() - 3500)))
        assert ok.is_valid()

    def test_too_fast_is_a_bot(self):
        form = ContactForm(data(token=formguard.form_token("test.contact")))
        assert not form.is_valid()
        assert form.errors.as_data()["__all__"][0].code == "bot"

    def test_minimum_fill_time_is_a_setting(self, settings):
        settings.BYLINE_FORMGUARD_MIN_SECONDS = 0
        assert ContactForm(data(token=formguard.form_token("test.contact"))).is_valid()

    def test_anything_slower_than_the_minimum_passes(self, settings):
        settings.BYLINE_FORMGUARD_MIN_SECONDS = 3
        token = formguard.form_token("test.contact", now=time.time() - 4)
        assert ContactForm(data(token=token)).is_valid()

    def test_honeypot_is_a_bot(self):
        form = ContactForm(data(phone="555-1234"))
        assert not form.is_valid()

    def test_keeping_form_stays_valid_and_says_why(self):
        form = KeepingForm(data(token=formguard.form_token("test.contact"), phone="1"))
        assert form.is_valid()
        assert form.formguard_bot_signals == ["honeypot", "too_fast"]

    def test_html_has_hidden_token_and_hidden_honeypot(self):
        form = ContactForm()
        html = str(form.formguard_html())
        assert 'type="hidden" name="formguard_token"' in html
        assert "hidden aria-hidden" in html and 'name="phone"' in html
        assert "phone" not in [field.name for field in form.visible_fields()]
        assert "style=" not in html


def test_client_ip_is_always_a_valid_address(settings):
    """An in-process request has no REMOTE_ADDR; a proxy may pass on garbage."""
    from django.http import HttpRequest

    assert formguard.client_ip(HttpRequest().META) == "0.0.0.0"
    settings.BYLINE_TRUSTED_PROXIES = 1
    request = post(remote_addr="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert formguard.client_ip(request.META) == "10.0.0.1"
