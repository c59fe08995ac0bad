# ruff: noqa: RUF001  (Ukrainian and Russian labels are meant)
"""The topic tree every new city starts with; its admins rename, move, add and remove from there.

The top level is what newcomers look for first (after the MICADO pilots' four systems: housing, education,
health, work, plus residence and money); children are added only where a city's pages usually split.
Labels are in Polish, English, Ukrainian, Russian and Arabic; a city offering other languages adds its
own labels, and readers meanwhile get the label from the city's fallback chain.
"""

from __future__ import annotations

from witaj.shared.events import Topic


def _topic(id: str, parent: str | None, pl: str, en: str, uk: str, ru: str, ar: str) -> Topic:
    return Topic(id=id, parent=parent, labels={"pl": pl, "en": en, "uk": uk, "ru": ru, "ar": ar})


DEFAULT_TOPICS: tuple[Topic, ...] = (
    _topic("housing", None, "Mieszkanie", "Housing", "Житло", "Жильё", "السكن"),
    _topic("renting", "housing", "Wynajem mieszkania", "Renting a home", "Оренда житла", "Аренда жилья", "استئجار مسكن"),
    _topic("address-registration", "housing", "Zameldowanie", "Registering your address",
           "Реєстрація місця проживання", "Регистрация по месту жительства", "تسجيل عنوان السكن"),
    _topic("residence", None, "Pobyt i zezwolenia", "Residence & permits", "Перебування та дозволи",
           "Пребывание и разрешения", "الإقامة والتصاريح"),
    _topic("temporary-residence", "residence", "Pobyt czasowy", "Temporary residence", "Тимчасове перебування",
           "Временное пребывание", "الإقامة المؤقتة"),
    _topic("international-protection", "residence", "Ochrona międzynarodowa", "International protection",
           "Міжнародний захист", "Международная защита", "الحماية الدولية"),
    _topic("health", None, "Zdrowie", "Health", "Здоров’я", "Здоровье", "الصحة"),
    _topic("health-insurance", "health", "Ubezpieczenie zdrowotne", "Health insurance", "Медичне страхування",
           "Медицинское страхование", "التأمين الصحي"),
    _topic("mental-health", "health", "Zdrowie psychiczne", "Mental health", "Психічне здоров’я",
           "Психическое здоровье", "الصحة النفسية"),
    _topic("work", None, "Praca", "Work", "Робота", "Работа", "العمل"),
    _topic("work-permits", "work", "Zezwolenia na pracę", "Work permits", "Дозволи на роботу",
           "Разрешения на работу", "تصاريح العمل"),
    _topic("job-search", "work", "Szukanie pracy", "Finding a job", "Пошук роботи", "Поиск работы", "البحث عن عمل"),
    _topic("education", None, "Edukacja", "Education", "Освіта", "Образование", "التعليم"),
    _topic("school", "education", "Szkoła", "School", "Школа", "Школа", "المدرسة"),
    _topic("higher-education", "education", "Studia", "Higher education", "Вища освіта", "Высшее образование",
           "التعليم العالي"),
    _topic("language", None, "Nauka języka", "Language learning", "Вивчення мови", "Изучение языка", "تعلم اللغة"),
    _topic("family", None, "Rodzina", "Family", "Сім’я", "Семья", "الأسرة"),
    _topic("childcare", "family", "Opieka nad dziećmi", "Childcare", "Догляд за дітьми", "Уход за детьми",
           "رعاية الأطفال"),
    _topic("money", None, "Pieniądze i ubezpieczenia", "Money & insurance", "Гроші та страхування",
           "Деньги и страхование", "المال والتأمين"),
    _topic("banking", "money", "Konto w banku", "Bank account", "Банківський рахунок", "Банковский счёт",
           "الحساب المصرفي"),
    _topic("taxes", "money", "Podatki", "Taxes", "Податки", "Налоги", "الضرائب"),
    _topic("benefits", "money", "Świadczenia", "Benefits", "Соціальні виплати", "Социальные выплаты",
           "الإعانات الاجتماعية"),
    _topic("everyday-life", None, "Życie codzienne", "Everyday life", "Повсякденне життя", "Повседневная жизнь",
           "الحياة اليومية"),
    _topic("offices-and-documents", "everyday-life", "Urzędy i dokumenty", "Offices & documents",
           "Установи та документи", "Учреждения и документы", "المكاتب والوثائق"),
    _topic("transport", "everyday-life", "Komunikacja miejska", "Public transport", "Громадський транспорт",
           "Общественный транспорт", "النقل العام"),
    _topic("culture", "everyday-life", "Kultura i czas wolny", "Culture & leisure", "Культура та дозвілля",
           "Культура и досуг", "الثقافة والترفيه"),
)  # fmt: skip
