# ruff: noqa: RUF001  (Ukrainian and Arabic text is meant)
"""Lublin's demo content, as data: a residence-permit procedure, pages, offices and organisations,
glossary terms (good practices are in `demo_practices.py`). `demo.py` writes it through the store.

Every translatable text is a `T` with Polish (the source) and its English, Ukrainian and Arabic
translations side by side, so a reader of this file sees each sentence in all four languages at once.
Addresses, hours and fees are illustrative demo data: check them with the office before real use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from witaj.shared.events import ContentKind

LANGUAGES = ("pl", "en", "uk", "ar")
"""The source language first."""


@dataclass(frozen=True, kw_only=True)
class T:
    """One text in every demo language."""

    pl: str
    en: str
    uk: str
    ar: str


@dataclass(frozen=True)
class DemoItem:
    id: str
    kind: ContentKind
    content: dict[str, Any]
    organisation: str | None = "lublin-city-hall"

    def body(self, language: str) -> dict[str, Any]:
        """The item's body in one language (every `T` replaced by its text)."""
        return in_language(self.content, language)


def in_language(value: Any, language: str) -> Any:
    if isinstance(value, T):
        return getattr(value, language)
    if isinstance(value, dict):
        return {key: in_language(v, language) for key, v in value.items()}
    if isinstance(value, list):
        return [in_language(v, language) for v in value]
    return value


LUW = "lublin-luw-foreigners"
LUW_OFFICE = "Lubelski Urząd Wojewódzki – Wydział Spraw Cudzoziemców"
LUW_ADDRESS = "ul. Spokojna 4, 20-914 Lublin"
LUW_LOCATION = {"lat": 51.2489, "lon": 22.5547}
PASSPORT = T(pl="Paszport", en="Passport", uk="Паспорт", ar="جواز السفر")


def weekdays(
    opens: str, closes: str, days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
) -> list[dict[str, str]]:
    return [{"day": day, "opens": opens, "closes": closes} for day in days]


RESIDENCE_PERMIT = DemoItem(
    "lublin-temporary-residence",
    ContentKind.PROCESS,
    {
        "title": T(
            pl="Zezwolenie na pobyt czasowy i karta pobytu",
            en="Temporary residence permit and residence card",
            uk="Дозвіл на тимчасове перебування і карта побиту",
            ar="تصريح الإقامة المؤقتة وبطاقة الإقامة",
        ),
        "summary": T(
            pl="Krok po kroku: od wniosku w urzędzie wojewódzkim w Lublinie do odbioru karty pobytu.",
            en="Step by step: from the application at the voivodeship office in Lublin to collecting your residence card.",
            uk="Крок за кроком: від заяви у воєводському управлінні в Любліні до отримання карти побиту.",
            ar="خطوة بخطوة: من تقديم الطلب في مكتب المحافظة في لوبلين حتى استلام بطاقة الإقامة.",
        ),
        "topics": ["residence", "temporary-residence"],
        "user_types": ["worker", "student", "family_reunification"],
        "related_pages": ["lublin-health-insurance", "lublin-renting"],
        "steps": [
            {
                "title": T(
                    pl="Przygotuj dokumenty",
                    en="Prepare your documents",
                    uk="Підготуйте документи",
                    ar="جهّز وثائقك",
                ),
                "description": T(
                    pl="Zezwolenie dostaniesz, jeśli masz cel pobytu dłuższego niż 3 miesiące, np. pracę, studia albo "
                    "połączenie z rodziną. Zbierz dokumenty, które to potwierdzają, oraz dowody na źródło utrzymania, "
                    "ubezpieczenie zdrowotne i miejsce zamieszkania.",
                    en="You can get the permit if you have a reason to stay longer than 3 months, such as work, studies or "
                    "joining your family. Collect documents that prove it, and proof of income, health insurance and a "
                    "place to live.",
                    uk="Дозвіл можна отримати, якщо у вас є мета перебування понад 3 місяці, наприклад робота, навчання "
                    "або возз’єднання з сім’єю. Зберіть документи, що це підтверджують, а також докази джерела доходу, "
                    "медичного страхування та місця проживання.",
                    ar="يمكنك الحصول على التصريح إذا كان لديك سبب للإقامة أكثر من 3 أشهر، مثل العمل أو الدراسة أو لمّ "
                    "شمل الأسرة. اجمع الوثائق التي تثبت ذلك، وما يثبت مصدر الدخل والتأمين الصحي ومكان السكن.",
                ),
                "documents_needed": [
                    T(
                        pl="Ważny paszport",
                        en="Valid passport",
                        uk="Дійсний паспорт",
                        ar="جواز سفر ساري المفعول",
                    ),
                    T(
                        pl="4 aktualne zdjęcia",
                        en="4 recent photos",
                        uk="4 актуальні фотографії",
                        ar="4 صور شخصية حديثة",
                    ),
                    T(
                        pl="Dokument potwierdzający cel pobytu (np. umowa o pracę)",
                        en="Document proving the purpose of your stay (e.g. employment contract)",
                        uk="Документ, що підтверджує мету перебування (напр. трудовий договір)",
                        ar="وثيقة تثبت سبب الإقامة (مثل عقد العمل)",
                    ),
                    T(
                        pl="Potwierdzenie ubezpieczenia zdrowotnego (np. NFZ)",
                        en="Proof of health insurance (e.g. NFZ)",
                        uk="Підтвердження медичного страхування (напр. NFZ)",
                        ar="إثبات التأمين الصحي (مثل NFZ)",
                    ),
                    T(
                        pl="Umowa najmu lub inny tytuł do mieszkania",
                        en="Tenancy agreement (umowa najmu) or other right to your home",
                        uk="Договір оренди (umowa najmu) або інше право на житло",
                        ar="عقد الإيجار (umowa najmu) أو أي حق آخر في السكن",
                    ),
                ],
                "duration_days": 7,
            },
            {
                "title": T(
                    pl="Złóż wniosek przez internet (MOS)",
                    en="Apply online (MOS)",
                    uk="Подайте заяву онлайн (MOS)",
                    ar="قدّم الطلب عبر الإنترنت (MOS)",
                ),
                "description": T(
                    pl="Wniosek składasz elektronicznie w Module Obsługi Spraw (MOS) i podpisujesz go profilem zaufanym, "
                    "podpisem osobistym lub kwalifikowanym. Zrób to najpóźniej w ostatnim dniu legalnego pobytu w Polsce.",
                    en="You apply electronically in the case handling module (MOS) and sign with a trusted profile, a "
                    "personal or a qualified signature. Do it at the latest on the last day of your legal stay in Poland.",
                    uk="Заяву подають в електронному вигляді в Модулі обслуговування справ (MOS) і підписують довіреним "
                    "профілем, особистим або кваліфікованим підписом. Зробіть це не пізніше останнього дня легального "
                    "перебування в Польщі.",
                    ar="يُقدَّم الطلب إلكترونياً عبر وحدة معالجة القضايا (MOS) ويُوقَّع بالملف الموثوق أو بالتوقيع الشخصي "
                    "أو المؤهَّل. افعل ذلك في موعد أقصاه آخر يوم من إقامتك القانونية في بولندا.",
                ),
                "links": ["https://mos.cudzoziemcy.gov.pl/"],
                "documents_produced": [
                    T(
                        pl="Urzędowe poświadczenie odbioru (UPO)",
                        en="Official confirmation of receipt (UPO)",
                        uk="Офіційне підтвердження отримання (UPO)",
                        ar="إيصال رسمي باستلام الطلب (UPO)",
                    )
                ],
                "duration_days": 1,
            },
            {
                "title": T(
                    pl="Zapłać opłatę skarbową",
                    en="Pay the stamp duty",
                    uk="Сплатіть державне мито",
                    ar="ادفع رسم الدمغة",
                ),
                "description": T(
                    pl="Opłata za zezwolenie na pobyt czasowy wynosi 340 zł (w niektórych przypadkach mniej). Wpłać ją na "
                    "rachunek Urzędu Miasta Lublin i zachowaj potwierdzenie.",
                    en="The fee for a temporary residence permit is PLN 340 (less in some cases). Pay it to the account of "
                    "Lublin City Hall and keep the confirmation.",
                    uk="Мито за дозвіл на тимчасове перебування становить 340 злотих (у деяких випадках менше). Сплатіть "
                    "його на рахунок Міської ради Любліна і збережіть підтвердження.",
                    ar="رسم تصريح الإقامة المؤقتة 340 زلوتي (وأقل في بعض الحالات). ادفعه إلى حساب بلدية لوبلين واحتفظ "
                    "بإثبات الدفع.",
                ),
                "cost": {"amount": 340, "currency": "PLN"},
                "documents_produced": [
                    T(
                        pl="Potwierdzenie zapłaty",
                        en="Proof of payment",
                        uk="Підтвердження оплати",
                        ar="إثبات الدفع",
                    )
                ],
                "duration_days": 1,
            },
            {
                "title": T(
                    pl="Stawiennictwo w urzędzie wojewódzkim",
                    en="Visit the voivodeship office",
                    uk="Особистий візит до воєводського управління",
                    ar="الحضور الشخصي إلى مكتب المحافظة",
                ),
                "description": T(
                    pl="Urząd wezwie Cię na wizytę: pobierze odciski palców i sprawdzi oryginały dokumentów. Jeśli wniosek "
                    "jest kompletny, dostaniesz stempel w paszporcie: możesz legalnie zostać w Polsce do czasu decyzji.",
                    en="The office invites you to a visit: it takes your fingerprints and checks the original documents. If "
                    "the application is complete, you get a stamp in your passport: you may stay in Poland legally until "
                    "the decision.",
                    uk="Управління запросить вас на візит: у вас візьмуть відбитки пальців і перевірять оригінали "
                    "документів. Якщо заява повна, ви отримаєте штамп у паспорті: ви можете легально залишатися в "
                    "Польщі до ухвалення рішення.",
                    ar="سيدعوك المكتب إلى موعد: تُؤخذ بصمات أصابعك وتُفحص الوثائق الأصلية. إذا كان الطلب مكتملاً، "
                    "تحصل على ختم في جواز سفرك: يمكنك البقاء في بولندا بشكل قانوني حتى صدور القرار.",
                ),
                "office": LUW_OFFICE,
                "organisation_id": LUW,
                "address": LUW_ADDRESS,
                "location": LUW_LOCATION,
                "documents_needed": [
                    PASSPORT,
                    T(
                        pl="Oryginały dokumentów z wniosku",
                        en="Originals of the documents in your application",
                        uk="Оригінали документів із заяви",
                        ar="أصول الوثائق المرفقة بالطلب",
                    ),
                ],
                "documents_produced": [
                    T(
                        pl="Stempel w paszporcie",
                        en="Stamp in your passport",
                        uk="Штамп у паспорті",
                        ar="ختم في جواز السفر",
                    )
                ],
                "duration_days": 1,
            },
            {
                "title": T(
                    pl="Decyzja i odbiór karty pobytu",
                    en="Decision and collecting the residence card",
                    uk="Рішення та отримання карти побиту",
                    ar="القرار واستلام بطاقة الإقامة",
                ),
                "description": T(
                    pl="Po pozytywnej decyzji zapłać 100 zł za wydanie karty pobytu. Kartę odbierasz osobiście w Wydziale "
                    "Spraw Cudzoziemców; zabierz paszport.",
                    en="After a positive decision, pay PLN 100 for the residence card. You collect the card in person at "
                    "the Foreigners' Department; bring your passport.",
                    uk="Після позитивного рішення сплатіть 100 злотих за видачу карти побиту. Карту отримуєте особисто у "
                    "Відділі у справах іноземців; візьміть паспорт.",
                    ar="بعد صدور قرار إيجابي، ادفع 100 زلوتي مقابل إصدار بطاقة الإقامة. تستلم البطاقة شخصياً في قسم "
                    "شؤون الأجانب؛ أحضر جواز سفرك.",
                ),
                "office": LUW_OFFICE,
                "organisation_id": LUW,
                "address": LUW_ADDRESS,
                "location": LUW_LOCATION,
                "cost": {"amount": 100, "currency": "PLN"},
                "documents_needed": [PASSPORT],
                "documents_produced": [
                    T(
                        pl="Decyzja o udzieleniu zezwolenia",
                        en="Decision granting the permit",
                        uk="Рішення про надання дозволу",
                        ar="قرار منح التصريح",
                    ),
                    T(
                        pl="Karta pobytu",
                        en="Residence card (karta pobytu)",
                        uk="Карта побиту",
                        ar="بطاقة الإقامة",
                    ),
                ],
                "duration_days": 60,
            },
        ],
    },
)

HEALTH_INSURANCE = DemoItem(
    "lublin-health-insurance",
    ContentKind.PAGE,
    {
        "title": T(
            pl="Ubezpieczenie zdrowotne w NFZ",
            en="Health insurance with the NFZ",
            uk="Медичне страхування в NFZ",
            ar="التأمين الصحي لدى NFZ",
        ),
        "summary": T(
            pl="Kto jest ubezpieczony w Narodowym Funduszu Zdrowia, jak się ubezpieczyć i jak to sprawdzić.",
            en="Who is insured with the National Health Fund, how to get insured and how to check it.",
            uk="Хто застрахований у Національному фонді здоров’я, як застрахуватися і як це перевірити.",
            ar="من هو المؤمَّن عليه لدى الصندوق الوطني للصحة، وكيف تحصل على التأمين وكيف تتحقق منه.",
        ),
        "body": T(
            pl="Publiczna opieka zdrowotna w Polsce jest finansowana przez **NFZ** (Narodowy Fundusz Zdrowia). "
            "Z ubezpieczeniem leczysz się bezpłatnie u lekarza rodzinnego, w szpitalu i u specjalisty (ze skierowaniem).\n\n"
            "- **Pracujesz na umowę o pracę lub umowę zlecenie?** Pracodawca zgłasza Cię do ubezpieczenia i opłaca "
            "składkę. Możesz zgłosić też członków rodziny.\n"
            "- **Studiujesz?** Jeśli nie masz innego ubezpieczenia, możesz podpisać z NFZ umowę o dobrowolne ubezpieczenie.\n"
            "- **Nie pracujesz?** Zapytaj w oddziale NFZ o ubezpieczenie dobrowolne.\n\n"
            "Lekarz sprawdzi Twoje ubezpieczenie po numerze PESEL. W nagłym wypadku dzwoń pod **112**: pomoc ratującą "
            "życie dostaniesz zawsze, także bez ubezpieczenia.",
            en="Public health care in Poland is paid for by the **NFZ** (National Health Fund). With insurance you are "
            "treated free of charge by a family doctor, in hospital and by a specialist (with a referral).\n\n"
            "- **Working on an employment contract or a contract of mandate?** Your employer registers you for "
            "insurance and pays the contribution. You can add your family members too.\n"
            "- **Studying?** If you have no other insurance, you can sign a voluntary insurance agreement with the NFZ.\n"
            "- **Not working?** Ask the NFZ branch about voluntary insurance.\n\n"
            "The doctor checks your insurance by your PESEL number. In an emergency call **112**: you always get "
            "life-saving help, insured or not.",
            uk="Державну медичну допомогу в Польщі фінансує **NFZ** (Національний фонд здоров’я). Зі страховкою ви "
            "безкоштовно лікуєтеся у сімейного лікаря, у лікарні та у спеціаліста (за направленням).\n\n"
            "- **Працюєте за трудовим договором або договором доручення?** Роботодавець реєструє вас для страхування "
            "і сплачує внески. Ви також можете зареєструвати членів сім’ї.\n"
            "- **Навчаєтеся?** Якщо у вас немає іншого страхування, можете укласти з NFZ договір про добровільне "
            "страхування.\n"
            "- **Не працюєте?** Запитайте у відділенні NFZ про добровільне страхування.\n\n"
            "Лікар перевіряє вашу страховку за номером PESEL. У надзвичайній ситуації телефонуйте **112**: допомогу "
            "для порятунку життя ви отримаєте завжди, навіть без страховки.",
            ar="يموّل **NFZ** (الصندوق الوطني للصحة) الرعاية الصحية العامة في بولندا. مع التأمين تتلقى العلاج مجاناً "
            "لدى طبيب الأسرة وفي المستشفى ولدى الطبيب المختص (بإحالة).\n\n"
            "- **تعمل بعقد عمل أو عقد تكليف؟** يسجّلك صاحب العمل في التأمين ويدفع الاشتراك. ويمكنك تسجيل أفراد "
            "أسرتك أيضاً.\n"
            "- **تدرس؟** إذا لم يكن لديك تأمين آخر، يمكنك توقيع عقد تأمين طوعي مع NFZ.\n"
            "- **لا تعمل؟** اسأل فرع NFZ عن التأمين الطوعي.\n\n"
            "يتحقق الطبيب من تأمينك برقم PESEL. في حالة الطوارئ اتصل بالرقم **112**: ستحصل دائماً على المساعدة "
            "المنقذة للحياة، سواء كنت مؤمَّناً أم لا.",
        ),
        "topics": ["health", "health-insurance"],
        "user_types": ["worker", "student", "family_reunification", "refugee"],
    },
)

RENTING = DemoItem(
    "lublin-renting",
    ContentKind.PAGE,
    {
        "title": T(
            pl="Wynajem mieszkania i zameldowanie",
            en="Renting a flat and registering your address",
            uk="Оренда житла і реєстрація місця проживання",
            ar="استئجار شقة وتسجيل عنوان السكن",
        ),
        "summary": T(
            pl="Na co uważać przy umowie najmu w Lublinie i jak się zameldować.",
            en="What to watch for in a tenancy agreement in Lublin, and how to register your address.",
            uk="На що звернути увагу в договорі оренди в Любліні і як зареєструвати місце проживання.",
            ar="ما الذي يجب الانتباه إليه في عقد الإيجار في لوبلين، وكيف تسجّل عنوان سكنك.",
        ),
        "body": T(
            pl="**Umowa najmu** powinna być na piśmie. Sprawdź w niej wysokość czynszu i opłat (prąd, gaz, woda, śmieci), "
            "kaucję, okres wypowiedzenia i to, kto płaci za naprawy. Przy przekazaniu kluczy spiszcie razem protokół "
            "ze stanem mieszkania i licznikami.\n\n"
            "Zostajesz w mieszkaniu dłużej niż 30 dni? Masz obowiązek **zameldowania** najpóźniej 30. dnia od "
            "przyjazdu. Zameldujesz się w Urzędzie Miasta Lublin (lub przez internet) z paszportem albo kartą pobytu "
            "i umową najmu. Jeśli nie masz jeszcze numeru PESEL, dostaniesz go przy zameldowaniu.\n\n"
            "Umowa najmu i meldunek pomogą Ci też w sprawach w urzędzie wojewódzkim, np. o kartę pobytu.",
            en="A **tenancy agreement** (umowa najmu) should be in writing. Check the rent and the charges (electricity, "
            "gas, water, rubbish), the deposit, the notice period and who pays for repairs. When you get the keys, write "
            "down a handover record of the flat's condition and the meter readings together.\n\n"
            "Staying in the flat longer than 30 days? Then you must **register your address** (zameldowanie) at the "
            "latest on the 30th day after moving in. You register at Lublin City Hall (or online) with your passport "
            "or residence card and the tenancy agreement. If you have no PESEL number yet, you get one when you "
            "register.\n\n"
            "The tenancy agreement and your registration also help with matters at the voivodeship office, for example "
            "your residence card (karta pobytu).",
            uk="**Договір оренди** (umowa najmu) має бути письмовим. Перевірте в ньому розмір орендної плати та "
            "комунальних платежів (електрика, газ, вода, вивіз сміття), заставу, строк розірвання і те, хто платить за "
            "ремонт. Під час передачі ключів складіть разом протокол про стан квартири та показники лічильників.\n\n"
            "Житимете в квартирі понад 30 днів? Тоді потрібна **реєстрація місця проживання** (zameldowanie) не "
            "пізніше 30-го дня після заселення. Зареєструватися можна в Міській раді Любліна (або онлайн) з "
            "паспортом або картою побиту та договором оренди. Якщо у вас ще немає номера PESEL, ви отримаєте його "
            "під час реєстрації.\n\n"
            "Договір оренди і реєстрація допоможуть вам також у справах у воєводському управлінні, наприклад щодо "
            "карти побиту.",
            ar="يجب أن يكون **عقد الإيجار** (umowa najmu) مكتوباً. تحقّق فيه من قيمة الإيجار والرسوم (الكهرباء والغاز "
            "والماء والنفايات) والتأمين المالي ومدة الإشعار بالإنهاء ومن يدفع تكاليف الإصلاحات. عند استلام المفاتيح، "
            "دوّنا معاً محضراً بحالة الشقة وقراءات العدادات.\n\n"
            "ستسكن في الشقة أكثر من 30 يوماً؟ عندها يجب عليك **تسجيل عنوان السكن** (zameldowanie) في موعد أقصاه "
            "اليوم الثلاثون من انتقالك. يتم التسجيل في بلدية لوبلين (أو عبر الإنترنت) بجواز السفر أو بطاقة الإقامة "
            "مع عقد الإيجار. إذا لم يكن لديك رقم PESEL بعد، فستحصل عليه عند التسجيل.\n\n"
            "يساعدك عقد الإيجار والتسجيل أيضاً في معاملاتك لدى مكتب المحافظة، مثل بطاقة الإقامة.",
        ),
        "topics": ["housing", "renting", "address-registration"],
        "user_types": ["worker", "student", "family_reunification", "refugee"],
    },
)

WORK = DemoItem(
    "lublin-work",
    ContentKind.PAGE,
    {
        "title": T(
            pl="Legalna praca w Lublinie",
            en="Working legally in Lublin",
            uk="Легальна робота в Любліні",
            ar="العمل القانوني في لوبلين",
        ),
        "summary": T(
            pl="Kiedy potrzebujesz zezwolenia na pracę, jakie są umowy i gdzie szukać ofert.",
            en="When you need a work permit, which contracts there are and where to look for jobs.",
            uk="Коли потрібен дозвіл на роботу, які бувають договори і де шукати вакансії.",
            ar="متى تحتاج إلى تصريح عمل، وما أنواع العقود، وأين تبحث عن فرص العمل.",
        ),
        "body": T(
            pl="Większość osób spoza Unii Europejskiej potrzebuje do pracy **zezwolenia na pracę** albo **oświadczenia "
            "o powierzeniu wykonywania pracy**. Wniosek składa pracodawca. Bez zezwolenia mogą pracować m.in. osoby "
            "z zezwoleniem na pobyt czasowy i pracę, uchodźcy, studenci studiów stacjonarnych w Polsce i obywatele UE. "
            "Obywateli Ukrainy zatrudnia się na podstawie powiadomienia, które pracodawca wysyła do urzędu pracy.\n\n"
            "Najczęstsze umowy to **umowa o pracę** (urlop, ochrona przed zwolnieniem, ubezpieczenie w NFZ) i **umowa "
            "zlecenie**. Zawsze proś o umowę na piśmie, zanim zaczniesz pracę.\n\n"
            "Oferty pracy i bezpłatne kursy znajdziesz w Powiatowym Urzędzie Pracy w Lublinie. Jeśli pracodawca nie "
            "płaci lub łamie prawo, zgłoś to do Państwowej Inspekcji Pracy (PIP).",
            en="Most people from outside the European Union need a **work permit** (zezwolenie na pracę) or a "
            "**declaration on entrusting work** (oświadczenie) to work. The employer applies. Among those who may work "
            "without one are people with a temporary residence and work permit, refugees, full-time students in "
            "Poland and EU citizens. Citizens of Ukraine are employed on the basis of a notification the employer "
            "sends to the labour office.\n\n"
            "The most common contracts are the **employment contract** (umowa o pracę: paid leave, protection against "
            "dismissal, NFZ insurance) and the **contract of mandate** (umowa zlecenie). Always ask for a written "
            "contract before you start working.\n\n"
            "You find job offers and free courses at the District Labour Office (Powiatowy Urząd Pracy) in Lublin. If "
            "an employer does not pay you or breaks the law, report it to the National Labour Inspectorate (PIP).",
            uk="Більшості людей з-поза Європейського Союзу для роботи потрібен **дозвіл на роботу** (zezwolenie na "
            "pracę) або **декларація про доручення виконання роботи** (oświadczenie). Заяву подає роботодавець. Без "
            "дозволу можуть працювати, зокрема, особи з дозволом на тимчасове перебування і роботу, біженці, студенти "
            "денної форми навчання в Польщі та громадяни ЄС. Громадян України працевлаштовують на підставі "
            "повідомлення, яке роботодавець надсилає до центру зайнятості.\n\n"
            "Найпоширеніші договори — **трудовий договір** (umowa o pracę: відпустка, захист від звільнення, "
            "страхування в NFZ) і **договір доручення** (umowa zlecenie). Завжди просіть письмовий договір, перш ніж "
            "почати роботу.\n\n"
            "Вакансії та безкоштовні курси знайдете в Повітовому центрі зайнятості (Powiatowy Urząd Pracy) у Любліні. "
            "Якщо роботодавець не платить або порушує закон, повідомте Державну інспекцію праці (PIP).",
            ar="يحتاج معظم القادمين من خارج الاتحاد الأوروبي إلى **تصريح عمل** (zezwolenie na pracę) أو **إقرار بتكليف "
            "العمل** (oświadczenie) كي يعملوا. صاحب العمل هو من يقدّم الطلب. ويمكن العمل دون تصريح لفئات منها: حاملو "
            "تصريح الإقامة المؤقتة والعمل، واللاجئون، وطلاب الدراسة النظامية في بولندا، ومواطنو الاتحاد الأوروبي. أما "
            "مواطنو أوكرانيا فيُوظَّفون بناءً على إشعار يرسله صاحب العمل إلى مكتب العمل.\n\n"
            "أكثر العقود شيوعاً هي **عقد العمل** (umowa o pracę: إجازة مدفوعة، وحماية من الفصل، وتأمين لدى NFZ) "
            "و**عقد التكليف** (umowa zlecenie). اطلب دائماً عقداً مكتوباً قبل أن تبدأ العمل.\n\n"
            "تجد عروض العمل والدورات المجانية في مكتب العمل في لوبلين (Powiatowy Urząd Pracy). إذا لم يدفع لك صاحب "
            "العمل أو خالف القانون، فأبلغ مفتشية العمل الوطنية (PIP).",
        ),
        "topics": ["work", "work-permits", "job-search"],
        "user_types": ["worker", "refugee", "temporary_protection", "student"],
    },
)

ORGANISATIONS = [
    DemoItem(
        LUW,
        ContentKind.ORGANISATION,
        {
            "title": T(
                pl=LUW_OFFICE,
                en="Lublin Voivodeship Office – Foreigners' Department",
                uk="Люблінське воєводське управління – Відділ у справах іноземців",
                ar="مكتب محافظة لوبلين – قسم شؤون الأجانب",
            ),
            "type": "public_office",
            "description": T(
                pl="Rozpatruje wnioski o zezwolenia na pobyt i wydaje karty pobytu. Przyjmuje po umówieniu wizyty.",
                en="Decides on applications for residence permits and issues residence cards. Visits by appointment.",
                uk="Розглядає заяви на дозволи на перебування і видає карти побиту. Прийом за попереднім записом.",
                ar="يبتّ في طلبات تصاريح الإقامة ويُصدر بطاقات الإقامة. الاستقبال بموعد مسبق.",
            ),
            "address": LUW_ADDRESS,
            "location": LUW_LOCATION,
            "opening_hours": [
                *weekdays("08:00", "18:00", ("mon",)),
                *weekdays("08:00", "15:00", ("tue", "wed", "thu", "fri")),
            ],
            "languages_spoken": ["pl", "en", "uk", "ru"],
            "topics": ["residence", "temporary-residence"],
            "contact": {"website": "https://www.lublin.uw.gov.pl/"},
            "services": [
                {
                    "title": T(
                        pl="Zezwolenia na pobyt czasowy",
                        en="Temporary residence permits",
                        uk="Дозволи на тимчасове перебування",
                        ar="تصاريح الإقامة المؤقتة",
                    ),
                    "description": T(
                        pl="Odciski palców, decyzje i wydawanie kart pobytu.",
                        en="Fingerprints, decisions and issuing residence cards.",
                        uk="Відбитки пальців, рішення і видача карт побиту.",
                        ar="أخذ البصمات وإصدار القرارات وتسليم بطاقات الإقامة.",
                    ),
                }
            ],
        },
        organisation="lublin-voivodeship-office",
    ),
    DemoItem(
        "lublin-city-foreigners-point",
        ContentKind.ORGANISATION,
        {
            "title": T(
                pl="Urząd Miasta Lublin – Punkt Obsługi Cudzoziemców",
                en="Lublin City Hall – Foreigners' Service Point",
                uk="Міська рада Любліна – Пункт обслуговування іноземців",
                ar="بلدية لوبلين – نقطة خدمة الأجانب",
            ),
            "type": "public_office",
            "description": T(
                pl="Informuje o usługach Urzędu Miasta, pomaga w zameldowaniu i wskazuje, które urzędy i organizacje "
                "zajmują się sprawami cudzoziemców.",
                en="Informs about City Hall services, helps with address registration and tells you which offices and "
                "organisations deal with foreigners' matters.",
                uk="Інформує про послуги Міської ради, допомагає з реєстрацією місця проживання і підказує, які установи "
                "та організації займаються справами іноземців.",
                ar="يقدّم المعلومات عن خدمات البلدية، ويساعد في تسجيل عنوان السكن، ويرشدك إلى المكاتب والمنظمات التي "
                "تتولى شؤون الأجانب.",
            ),
            "address": "Plac Króla Władysława Łokietka 1, 20-109 Lublin",
            "location": {"lat": 51.2480, "lon": 22.5662},
            "opening_hours": weekdays("07:30", "15:30"),
            "languages_spoken": ["pl", "en", "uk", "ru"],
            "topics": ["offices-and-documents", "address-registration"],
            "contact": {"website": "https://lublin.eu/"},
            "services": [
                {
                    "title": T(
                        pl="Zameldowanie i numer PESEL",
                        en="Address registration and PESEL number",
                        uk="Реєстрація місця проживання і номер PESEL",
                        ar="تسجيل عنوان السكن ورقم PESEL",
                    )
                }
            ],
        },
    ),
    DemoItem(
        "lublin-nfz-branch",
        ContentKind.ORGANISATION,
        {
            "title": T(
                pl="NFZ – Lubelski Oddział Wojewódzki",
                en="NFZ – Lublin Regional Branch",
                uk="NFZ – Люблінське воєводське відділення",
                ar="NFZ – فرع محافظة لوبلين",
            ),
            "type": "health",
            "description": T(
                pl="Informacje o ubezpieczeniu zdrowotnym, umowy o dobrowolne ubezpieczenie i Europejska Karta "
                "Ubezpieczenia Zdrowotnego.",
                en="Information on health insurance, voluntary insurance agreements and the European Health Insurance "
                "Card.",
                uk="Інформація про медичне страхування, договори добровільного страхування та Європейська картка "
                "медичного страхування.",
                ar="معلومات عن التأمين الصحي، وعقود التأمين الطوعي، والبطاقة الأوروبية للتأمين الصحي.",
            ),
            "address": "ul. Szkolna 16, 20-124 Lublin",
            "location": {"lat": 51.2540, "lon": 22.5690},
            "opening_hours": weekdays("08:00", "16:00"),
            "languages_spoken": ["pl", "en"],
            "topics": ["health", "health-insurance"],
            "contact": {"website": "https://www.nfz-lublin.pl/"},
        },
        organisation="nfz-lublin",
    ),
    DemoItem(
        "lublin-umcs-polish-centre",
        ContentKind.ORGANISATION,
        {
            "title": T(
                pl="UMCS – Centrum Języka i Kultury Polskiej dla Polonii i Cudzoziemców",
                en="UMCS – Centre of Polish Language and Culture for Foreigners",
                uk="UMCS – Центр польської мови і культури для іноземців",
                ar="جامعة ماريا كوري سكوودوفسكا – مركز اللغة والثقافة البولندية للأجانب",
            ),
            "type": "school",
            "description": T(
                pl="Kursy języka polskiego na wszystkich poziomach, przygotowanie do egzaminu certyfikatowego i rok "
                "przygotowawczy do studiów.",
                en="Polish language courses at every level, preparation for the certificate exam and a preparatory year "
                "for university.",
                uk="Курси польської мови на всіх рівнях, підготовка до сертифікатного іспиту і підготовчий рік до "
                "навчання в університеті.",
                ar="دورات في اللغة البولندية بجميع المستويات، والتحضير لامتحان الشهادة، وسنة تحضيرية للدراسة الجامعية.",
            ),
            "address": "pl. Marii Curie-Skłodowskiej 5, 20-031 Lublin",
            "location": {"lat": 51.2465, "lon": 22.5415},
            "opening_hours": weekdays("09:00", "15:00"),
            "languages_spoken": ["pl", "en", "uk", "ru"],
            "topics": ["language", "higher-education"],
            "contact": {"website": "https://www.umcs.pl/"},
            "services": [
                {
                    "title": T(
                        pl="Kurs języka polskiego A1–C2",
                        en="Polish language course A1–C2",
                        uk="Курс польської мови A1–C2",
                        ar="دورة اللغة البولندية A1–C2",
                    )
                }
            ],
        },
        organisation="umcs",
    ),
    DemoItem(
        "lublin-homo-faber",
        ContentKind.ORGANISATION,
        {
            "title": T(
                pl="Stowarzyszenie Homo Faber",
                en="Homo Faber Association",
                uk="Асоціація Homo Faber",
                ar="جمعية هومو فابر",
            ),
            "type": "ngo",
            "description": T(
                pl="Organizacja pozarządowa z Lublina działająca na rzecz cudzoziemców. Prowadzi bezpłatne porady i klub "
                "konwersacji po polsku.",
                en="A Lublin NGO working for foreigners. It offers free advice and a Polish conversation club.",
                uk="Громадська організація з Любліна, що працює для іноземців. Надає безкоштовні консультації і веде "
                "розмовний клуб польської мови.",
                ar="منظمة غير حكومية من لوبلين تعمل لصالح الأجانب. تقدّم استشارات مجانية ونادياً للمحادثة باللغة "
                "البولندية.",
            ),
            "address": "ul. Krakowskie Przedmieście 39, 20-076 Lublin",
            "location": {"lat": 51.2484, "lon": 22.5589},
            "opening_hours": weekdays("10:00", "18:00", ("tue", "thu")),
            "languages_spoken": ["pl", "en", "uk", "ru"],
            "topics": ["language", "residence", "work"],
            "services": [
                {
                    "title": T(
                        pl="Porady dla cudzoziemców",
                        en="Advice for foreigners",
                        uk="Консультації для іноземців",
                        ar="استشارات للأجانب",
                    ),
                    "description": T(
                        pl="Pobyt, praca, mieszkanie: pomoc w sprawach urzędowych.",
                        en="Residence, work, housing: help with official matters.",
                        uk="Перебування, робота, житло: допомога в офіційних справах.",
                        ar="الإقامة والعمل والسكن: المساعدة في المعاملات الرسمية.",
                    ),
                },
                {
                    "title": T(
                        pl="Klub konwersacji po polsku",
                        en="Polish conversation club",
                        uk="Розмовний клуб польської мови",
                        ar="نادي المحادثة باللغة البولندية",
                    )
                },
            ],
        },
        organisation="homo-faber",
    ),
]


def term(item_id: str, title: T, definition: T, synonyms: list[T], topics: list[str]) -> DemoItem:
    content = {"title": title, "definition": definition, "synonyms": synonyms, "topics": topics}
    return DemoItem(item_id, ContentKind.GLOSSARY_TERM, content)


# A term's forms are matched in texts word for word, so inflected forms are listed as synonyms; where a
# language has fewer forms, the Polish word stands in (readers meet it on forms and letters anyway).
GLOSSARY = [
    term(
        "lublin-term-pesel",
        T(pl="PESEL", en="PESEL", uk="PESEL", ar="PESEL"),
        T(
            pl="Jedenastocyfrowy numer w polskim rejestrze ludności. Potrzebny m.in. u lekarza, w banku i w urzędzie; "
            "nadawany przy zameldowaniu lub na wniosek.",
            en="An eleven-digit number in the Polish population register. You need it at the doctor's, at the bank and "
            "at offices; it is given when you register your address, or on request.",
            uk="Одинадцятизначний номер у польському реєстрі населення. Потрібен, зокрема, у лікаря, у банку та в "
            "установах; надається під час реєстрації місця проживання або за заявою.",
            ar="رقم من أحد عشر خانة في سجل السكان البولندي. تحتاجه عند الطبيب وفي البنك وفي المكاتب الحكومية؛ ويُمنح "
            "عند تسجيل عنوان السكن أو بناءً على طلب.",
        ),
        [T(pl="numer PESEL", en="PESEL number", uk="номер PESEL", ar="رقم PESEL")],
        ["offices-and-documents"],
    ),
    term(
        "lublin-term-residence-card",
        T(pl="karta pobytu", en="residence card", uk="карта побиту", ar="بطاقة الإقامة"),
        T(
            pl="Plastikowy dokument, który potwierdza Twoją tożsamość i prawo do pobytu w Polsce. Wydaje go wojewoda "
            "po udzieleniu zezwolenia na pobyt.",
            en="A plastic card that proves your identity and your right to stay in Poland. The voivode issues it once "
            "a residence permit has been granted.",
            uk="Пластиковий документ, що підтверджує вашу особу і право на перебування в Польщі. Його видає воєвода "
            "після надання дозволу на перебування.",
            ar="وثيقة بلاستيكية تثبت هويتك وحقك في الإقامة في بولندا. يُصدرها المحافظ بعد منح تصريح الإقامة.",
        ),
        [
            T(pl="karty pobytu", en="karta pobytu", uk="карти побиту", ar="karta pobytu"),
            T(pl="kartę pobytu", en="residence permit card", uk="карту побиту", ar="بطاقة إقامة"),
            T(pl="kartą pobytu", en="residence cards", uk="картою побиту", ar="بطاقات الإقامة"),
            T(
                pl="karcie pobytu",
                en="residence permit cards",
                uk="посвідка на проживання",
                ar="karty pobytu",
            ),
        ],
        ["residence", "temporary-residence"],
    ),
    term(
        "lublin-term-address-registration",
        T(
            pl="zameldowanie",
            en="address registration",
            uk="реєстрація місця проживання",
            ar="تسجيل عنوان السكن",
        ),
        T(
            pl="Wpis adresu, pod którym mieszkasz, do rejestru mieszkańców. Cudzoziemiec mieszkający w jednym miejscu "
            "dłużej niż 30 dni melduje się najpóźniej 30. dnia od przyjazdu.",
            en="Entering the address where you live in the residents' register. A foreigner who stays at one address "
            "longer than 30 days registers at the latest on the 30th day after arriving.",
            uk="Внесення адреси, за якою ви проживаєте, до реєстру мешканців. Іноземець, який проживає в одному місці "
            "понад 30 днів, реєструється не пізніше 30-го дня після прибуття.",
            ar="إدراج العنوان الذي تسكن فيه في سجل السكان. على الأجنبي الذي يقيم في مكان واحد أكثر من 30 يوماً أن "
            "يسجّل عنوانه في موعد أقصاه اليوم الثلاثون من وصوله.",
        ),
        [
            T(pl="meldunek", en="zameldowanie", uk="zameldowanie", ar="zameldowanie"),
            T(pl="zameldowania", en="register your address", uk="прописка", ar="meldunek"),
            T(pl="zameldować się", en="meldunek", uk="meldunek", ar="تسجيل الإقامة"),
        ],
        ["housing", "address-registration"],
    ),
    term(
        "lublin-term-nfz",
        T(pl="NFZ", en="NFZ", uk="NFZ", ar="NFZ"),
        T(
            pl="Narodowy Fundusz Zdrowia: publiczny ubezpieczyciel, który płaci za leczenie osób ubezpieczonych "
            "w Polsce.",
            en="National Health Fund: the public insurer that pays for the treatment of people insured in Poland.",
            uk="Національний фонд здоров’я: державний страховик, який оплачує лікування застрахованих у Польщі осіб.",
            ar="الصندوق الوطني للصحة: جهة التأمين العامة التي تدفع تكاليف علاج المؤمَّن عليهم في بولندا.",
        ),
        [
            T(
                pl="Narodowy Fundusz Zdrowia",
                en="National Health Fund",
                uk="Національний фонд здоров’я",
                ar="الصندوق الوطني للصحة",
            )
        ],
        ["health", "health-insurance"],
    ),
    term(
        "lublin-term-tenancy-agreement",
        T(pl="umowa najmu", en="tenancy agreement", uk="договір оренди", ar="عقد الإيجار"),
        T(
            pl="Pisemna umowa z właścicielem mieszkania: czynsz, opłaty, kaucja, okres najmu i wypowiedzenia. Potrzebna "
            "m.in. do zameldowania i wniosku o kartę pobytu.",
            en="A written agreement with the owner of the flat: rent, charges, deposit, length of the tenancy and notice "
            "period. You need it, for example, to register your address and to apply for a residence card.",
            uk="Письмова угода з власником житла: орендна плата, комунальні платежі, застава, строк оренди і "
            "розірвання. Потрібна, зокрема, для реєстрації місця проживання і заяви на карту побиту.",
            ar="اتفاق مكتوب مع مالك الشقة: الإيجار والرسوم والتأمين المالي ومدة الإيجار ومدة الإشعار. تحتاجه مثلاً "
            "لتسجيل عنوان السكن ولطلب بطاقة الإقامة.",
        ),
        [
            T(pl="umowy najmu", en="umowa najmu", uk="umowa najmu", ar="umowa najmu"),
            T(pl="umowę najmu", en="lease", uk="договору оренди", ar="عقد إيجار"),
            T(pl="umową najmu", en="tenancy agreements", uk="договором оренди", ar="عقود الإيجار"),
        ],
        ["housing", "renting"],
    ),
]
