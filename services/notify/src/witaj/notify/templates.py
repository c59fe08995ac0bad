# ruff: noqa: RUF001 - translated message templates use Cyrillic and Arabic letters on purpose
"""Messages rendered per subscriber language from sandboxed, auto-escaping Jinja templates.

The language is chosen among those that have both a template and a title for the item, by the
subscriber's own language and fallbacks first, then the city's chain (`witaj.shared.languages`). Titles
come from editors, so the HTML variant escapes them and templates run in Jinja's sandbox. Rendering is
cached per job and (language, fallbacks), since a fan-out renders the same few variants many times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from witaj.shared.events import CityConfig
from witaj.shared.languages import choose_language, is_rtl

# kind -> language -> (title, body). Bodies see: title, city, when, link.
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "content.published": {
        "en": ("New: {{ title }}", "New information for you in {{ city }}: {{ title }}."),
        "pl": ("Nowość: {{ title }}", "Nowa informacja dla Ciebie w mieście {{ city }}: {{ title }}."),
        "uk": ("Нове: {{ title }}", "Нова інформація для вас у місті {{ city }}: {{ title }}."),
        "ru": ("Новое: {{ title }}", "Новая информация для вас в городе {{ city }}: {{ title }}."),
        "ar": ("جديد: {{ title }}", "معلومات جديدة لك في {{ city }}: {{ title }}."),
        "de": ("Neu: {{ title }}", "Neue Informationen für Sie in {{ city }}: {{ title }}."),
    },
    "content.updated": {
        "en": ("Updated: {{ title }}", "Important change in {{ city }}: {{ title }} was updated."),
        "pl": ("Zmiana: {{ title }}", "Ważna zmiana w mieście {{ city }}: zaktualizowano {{ title }}."),
        "uk": ("Оновлено: {{ title }}", "Важлива зміна у місті {{ city }}: оновлено {{ title }}."),
        "ru": ("Обновлено: {{ title }}", "Важное изменение в городе {{ city }}: обновлено {{ title }}."),
        "ar": ("تحديث: {{ title }}", "تغيير مهم في {{ city }}: تم تحديث {{ title }}."),
    },
    "agenda.event_published": {
        "en": ("New event: {{ title }}", "{{ title }}{% if when %} on {{ when }}{% endif %} in {{ city }}."),
        "pl": (
            "Nowe wydarzenie: {{ title }}",
            "{{ title }}{% if when %}, {{ when }}{% endif %} ({{ city }}).",
        ),
        "uk": ("Нова подія: {{ title }}", "{{ title }}{% if when %}, {{ when }}{% endif %} ({{ city }})."),
        "ru": ("Новое событие: {{ title }}", "{{ title }}{% if when %}, {{ when }}{% endif %} ({{ city }})."),
        "ar": ("فعالية جديدة: {{ title }}", "{{ title }}{% if when %}، {{ when }}{% endif %} ({{ city }})."),
    },
    "agenda.event_updated": {
        "en": ("Changed: {{ title }}", "The time or place of {{ title }} has changed."),
        "pl": ("Zmiana: {{ title }}", "Zmienił się termin lub miejsce: {{ title }}."),
        "uk": ("Зміна: {{ title }}", "Змінився час або місце: {{ title }}."),
        "ru": ("Изменение: {{ title }}", "Изменилось время или место: {{ title }}."),
        "ar": ("تغيير: {{ title }}", "تغير موعد أو مكان {{ title }}."),
    },
    "agenda.event_cancelled": {
        "en": ("Cancelled: {{ title }}", "{{ title }} is cancelled{% if when %} on {{ when }}{% endif %}."),
        "pl": ("Odwołane: {{ title }}", "{{ title }} zostało odwołane{% if when %} ({{ when }}){% endif %}."),
        "uk": ("Скасовано: {{ title }}", "{{ title }} скасовано{% if when %} ({{ when }}){% endif %}."),
        "ru": ("Отменено: {{ title }}", "{{ title }} отменено{% if when %} ({{ when }}){% endif %}."),
        "ar": ("إلغاء: {{ title }}", "تم إلغاء {{ title }}{% if when %} ({{ when }}){% endif %}."),
    },
    "agenda.registration_promoted": {
        "en": ("You have a place: {{ title }}", "A place became free and it is yours: {{ title }}."),
        "pl": ("Masz miejsce: {{ title }}", "Zwolniło się miejsce i jest Twoje: {{ title }}."),
        "uk": ("У вас є місце: {{ title }}", "Звільнилося місце, і воно ваше: {{ title }}."),
        "ru": ("У вас есть место: {{ title }}", "Освободилось место, и оно ваше: {{ title }}."),
        "ar": ("لديك مكان: {{ title }}", "أصبح مكان متاحًا وهو لك: {{ title }}."),
    },
    "agenda.registration_cancelled": {
        "en": ("Registration cancelled: {{ title }}", "Your registration for {{ title }} is cancelled."),
        "pl": ("Zapis anulowany: {{ title }}", "Twój zapis na {{ title }} został anulowany."),
        "uk": ("Реєстрацію скасовано: {{ title }}", "Вашу реєстрацію на {{ title }} скасовано."),
        "ru": ("Регистрация отменена: {{ title }}", "Ваша регистрация на {{ title }} отменена."),
        "ar": ("تم إلغاء التسجيل: {{ title }}", "تم إلغاء تسجيلك في {{ title }}."),
    },
}

# The daily digest: language -> (title, introduction). Both see: count, city.
DIGEST: dict[str, tuple[str, str]] = {
    "en": ("Your daily digest ({{ count }} new)", "What is new for you in {{ city }}:"),
    "pl": ("Twoje podsumowanie dnia (nowe: {{ count }})", "Co nowego dla Ciebie w mieście {{ city }}:"),
    "uk": ("Ваш щоденний дайджест (нових: {{ count }})", "Що нового для вас у місті {{ city }}:"),
    "ru": ("Ваша ежедневная сводка (новых: {{ count }})", "Что нового для вас в городе {{ city }}:"),
    "ar": ("ملخصك اليومي ({{ count }} جديد)", "الجديد لك في {{ city }}:"),
}

# Double opt-in: language -> (title, body, button, confirmed). They see: city, hours.
CONFIRMATION: dict[str, tuple[str, str, str, str]] = {
    "en": (
        "Confirm your e-mail address",
        "You asked for Witaj notifications from {{ city }} at this address. Confirm it with the link below. "
        "If it was not you, ignore this message: the address is forgotten in {{ hours }} hours.",
        "Confirm",
        "Your e-mail address is confirmed.",
    ),
    "pl": (
        "Potwierdź swój adres e-mail",
        "Poproszono o powiadomienia Witaj z miasta {{ city }} na ten adres. Potwierdź go, korzystając z "
        "linku poniżej. Jeśli to nie Ty, zignoruj tę wiadomość: adres zostanie usunięty za {{ hours }} godz.",
        "Potwierdź",
        "Twój adres e-mail jest potwierdzony.",
    ),
    "uk": (
        "Підтвердьте свою адресу e-mail",
        "Ви попросили сповіщення Witaj з міста {{ city }} на цю адресу. Підтвердьте її за посиланням нижче. "
        "Якщо це були не ви, проігноруйте цей лист: адресу буде видалено через {{ hours }} год.",
        "Підтвердити",
        "Вашу адресу e-mail підтверджено.",
    ),
    "ru": (
        "Подтвердите адрес электронной почты",
        "Вы запросили уведомления Witaj из города {{ city }} на этот адрес. Подтвердите его по ссылке ниже. "
        "Если это были не вы, проигнорируйте это письмо: адрес будет удалён через {{ hours }} ч.",
        "Подтвердить",
        "Ваш адрес электронной почты подтверждён.",
    ),
    "ar": (
        "أكّد عنوان بريدك الإلكتروني",
        "طلبت تلقي إشعارات Witaj من {{ city }} على هذا العنوان. أكّده عبر الرابط أدناه. "
        "إن لم تكن أنت، فتجاهل هذه الرسالة: سيُحذف العنوان بعد {{ hours }} ساعة.",
        "تأكيد",
        "تم تأكيد عنوان بريدك الإلكتروني.",
    ),
    "de": (
        "Bestätigen Sie Ihre E-Mail-Adresse",
        "Sie haben Witaj-Benachrichtigungen aus {{ city }} an diese Adresse angefordert. Bestätigen Sie sie "
        "über den Link unten. Falls Sie das nicht waren, ignorieren Sie diese Nachricht: Die Adresse wird "
        "in {{ hours }} Stunden gelöscht.",
        "Bestätigen",
        "Ihre E-Mail-Adresse ist bestätigt.",
    ),
}

HTML = (
    '<div dir="{{ dir }}" lang="{{ lang }}"><p>{{ body }}</p>'
    '{% if link %}<p><a href="{{ link }}">{{ title }}</a></p>{% endif %}</div>'
)
DIGEST_HTML = (
    '<div dir="{{ dir }}" lang="{{ lang }}"><p>{{ intro }}</p><ul>{% for item in items %}<li>'
    '{% if item.link %}<a href="{{ item.link }}">{{ item.title }}</a>{% else %}{{ item.title }}{% endif %}'
    "<br>{{ item.body }}</li>{% endfor %}</ul></div>"
)

CONFIRMATION_PAGE = (
    '<!doctype html><html lang="{{ lang }}" dir="{{ dir }}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title></head>'
    "<body><main><h1>{{ title }}</h1>{% if confirmed %}<p>{{ confirmed }}</p>{% else %}"
    '<form method="post"><button type="submit">{{ button }}</button></form>{% endif %}</main></body></html>'
)

_text = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_html = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_COMPILED = {
    (kind, lang): (_text.from_string(title), _text.from_string(body))
    for kind, langs in MESSAGES.items()
    for lang, (title, body) in langs.items()
}
_HTML = _html.from_string(HTML)
_DIGEST = {lang: (_text.from_string(t), _text.from_string(i)) for lang, (t, i) in DIGEST.items()}
_DIGEST_HTML = _html.from_string(DIGEST_HTML)
_CONFIRMATION = {
    lang: tuple(_text.from_string(part) for part in parts) for lang, parts in CONFIRMATION.items()
}
_CONFIRMATION_PAGE = _html.from_string(CONFIRMATION_PAGE)


@dataclass(frozen=True)
class Rendered:
    language: str
    rtl: bool
    title: str
    body: str
    link: str | None

    def text(self) -> str:
        return self.body + (f"\n\n{self.link}" if self.link else "")

    def html(self) -> str:
        return _HTML.render(
            dir="rtl" if self.rtl else "ltr",
            lang=self.language,
            body=self.body,
            link=self.link,
            title=self.title,
        )


@dataclass(frozen=True)
class RenderedDigest:
    """One message listing a day's items, each as it was rendered for the subscriber when it came."""

    language: str
    rtl: bool
    title: str
    intro: str
    items: tuple[Rendered, ...]

    def text(self) -> str:
        lines = [self.intro, ""]
        for item in self.items:
            lines.append(f"- {item.title}")
            lines.extend(f"  {part}" for part in (item.body, item.link) if part)
        return "\n".join(lines)

    def html(self) -> str:
        return _DIGEST_HTML.render(
            dir="rtl" if self.rtl else "ltr", lang=self.language, intro=self.intro, items=self.items
        )


def render_digest(
    city: CityConfig, items: list[Rendered], *, language: str, fallbacks: list[str]
) -> RenderedDigest:
    choice = choose_language(
        [language, *fallbacks], set(DIGEST), default_language=city.default_language, fallbacks=city.fallbacks
    )
    lang = choice.language if choice else "en"
    title_t, intro_t = _DIGEST[lang]
    values = {"count": len(items), "city": city.name}
    return RenderedDigest(lang, is_rtl(lang), title_t.render(values), intro_t.render(values), tuple(items))


def render(
    kind: str,
    city: CityConfig,
    titles: dict[str, str],
    *,
    language: str,
    fallbacks: list[str],
    link: str | None = None,
    when: str | None = None,
) -> Rendered:
    templates = MESSAGES[kind]
    available = set(templates) & set(titles) if titles else set(templates)
    if not available:
        available = set(templates)
    choice = choose_language(
        [language, *fallbacks],
        available,
        default_language=city.default_language,
        fallbacks=city.fallbacks,
    )
    lang = choice.language if choice else "en"
    title = titles.get(lang) or _any_title(titles, city, language)
    title_t, body_t = _COMPILED[(kind, lang)]
    values: dict[str, Any] = {"title": title, "city": city.name, "when": when, "link": link}
    return Rendered(lang, is_rtl(lang), title_t.render(values), body_t.render(values), link)


@dataclass(frozen=True)
class Confirmation:
    """The double opt-in texts in one language: the e-mail (`mail`) and the page its link opens."""

    mail: Rendered
    button: str
    confirmed: str

    def page(self, *, done: bool) -> str:
        """A complete page that works without scripts: a button that confirms (POST), or the outcome."""
        return _CONFIRMATION_PAGE.render(
            lang=self.mail.language, dir="rtl" if self.mail.rtl else "ltr", title=self.mail.title,
            button=self.button, confirmed=self.confirmed if done else None,
        )  # fmt: skip


def render_confirmation(
    city: CityConfig, *, language: str, fallbacks: list[str], link: str, hours: int
) -> Confirmation:
    """The confirmation of an e-mail address, in the subscriber's language (or the city's next best)."""
    choice = choose_language(
        [language, *fallbacks],
        set(CONFIRMATION),
        default_language=city.default_language,
        fallbacks=city.fallbacks,
    )
    lang = choice.language if choice else "en"
    values = {"city": city.name, "hours": hours}
    title, body, button, confirmed = (part.render(values) for part in _CONFIRMATION[lang])
    return Confirmation(Rendered(lang, is_rtl(lang), title, body, link), button, confirmed)


def _any_title(titles: dict[str, str], city: CityConfig, language: str) -> str:
    for code in [language, city.default_language, *sorted(titles)]:
        if titles.get(code):
            return titles[code]
    return ""


class RenderCache:
    """One rendering per (language, fallbacks) within a fan-out job."""

    def __init__(self, kind: str, city: CityConfig, titles: dict[str, str], **extra: Any) -> None:
        self.args = (kind, city, titles)
        self.extra = extra
        self._cache: dict[tuple[str, tuple[str, ...]], Rendered] = {}

    def get(self, language: str, fallbacks: list[str]) -> Rendered:
        key = (language, tuple(fallbacks))
        if key not in self._cache:
            self._cache[key] = render(*self.args, language=language, fallbacks=fallbacks, **self.extra)
        return self._cache[key]
