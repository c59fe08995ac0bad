# ruff: noqa: RUF001  (Ukrainian and Arabic text is meant)
"""Lublin's good practices for the demo, from the source documents: the "Open Cities" (Miasta Otwarte)
awards for city practices, the 2013 Kraków forum on local integration policies, and the European Pact for
Integration. Similar practices of other cities are named as the documents name them."""

from __future__ import annotations

from typing import Any

from witaj.content.demo_content import DemoItem, T
from witaj.shared.events import ContentKind


def practice(item_id: str, category: str, similar: list[tuple[str, str]], **texts: Any) -> DemoItem:
    content = {
        "category": category,
        "similar": [{"city": city, "name": name} for city, name in similar],
        **texts,
    }
    return DemoItem(item_id, ContentKind.PRACTICE, content)


PRACTICES = [
    practice(
        "lublin-practice-diversity-strategy",
        "strategy",
        [
            ("bialystok", "Program „Białystok dla tolerancji”"),
            (
                "krakow",
                "Strategia zapobiegania i reakcji na zdarzenia o charakterze rasistowskim i ksenofobicznym",
            ),
        ],
        title=T(
            pl="Zarządzanie różnorodnością w strategii rozwoju miasta",
            en="Diversity management in the city's development strategy",
            uk="Управління різноманіттям у стратегії розвитку міста",
            ar="إدارة التنوع في استراتيجية تنمية المدينة",
        ),
        summary=T(
            pl="Urząd Miasta Lublin buduje spójny system zarządzania różnorodnością razem z instytucjami "
            "i organizacjami pozarządowymi działającymi na rzecz cudzoziemców.",
            en="Lublin City Hall builds a coherent system of diversity management together with the institutions and "
            "NGOs working for foreigners.",
            uk="Міська рада Любліна разом з установами та громадськими організаціями, що працюють для іноземців, "
            "будує цілісну систему управління різноманіттям.",
            ar="تبني بلدية لوبلين نظاماً متكاملاً لإدارة التنوع بالتعاون مع المؤسسات والمنظمات غير الحكومية العاملة "
            "لصالح الأجانب.",
        ),
        description=T(
            pl="Strategia Rozwoju Lublina na lata 2013–2020 uczyniła integrację imigrantów zadaniem miasta. Od kilku lat "
            "urząd współpracuje ze wszystkimi instytucjami i organizacjami pozarządowymi działającymi na rzecz "
            "cudzoziemców.",
            en="Lublin's Development Strategy 2013–2020 made the integration of immigrants a task of the city. For "
            "several years the city hall has worked with all the institutions and NGOs that act for foreigners.",
            uk="Стратегія розвитку Любліна на 2013–2020 роки зробила інтеграцію іммігрантів завданням міста. Уже кілька "
            "років міська рада співпрацює з усіма установами та громадськими організаціями, які працюють для "
            "іноземців.",
            ar="جعلت استراتيجية تنمية لوبلين للأعوام 2013–2020 دمج المهاجرين مهمةً من مهام المدينة. ومنذ عدة سنوات "
            "تتعاون البلدية مع جميع المؤسسات والمنظمات غير الحكومية العاملة لصالح الأجانب.",
        ),
        recommendations=T(
            pl="Miejskie strategie powinny zawierać plan zarządzania różnorodnością w obszarach, za które odpowiada "
            "samorząd: edukacji, sprawach społecznych, kulturze i promocji miasta. Strategię trzeba tworzyć "
            "partycypacyjnie, w konsultacji z samymi imigrantami.",
            en="City strategies should include a plan for managing diversity in the areas the municipality is "
            "responsible for: education, social affairs, culture and city promotion. The strategy must be built in a "
            "participatory way, in consultation with immigrants themselves.",
            uk="Міські стратегії мають містити план управління різноманіттям у сферах, за які відповідає "
            "самоврядування: освіта, соціальні справи, культура і промоція міста. Стратегію слід створювати разом "
            "із громадою, консультуючись із самими іммігрантами.",
            ar="ينبغي أن تتضمن استراتيجيات المدن خطة لإدارة التنوع في المجالات التي تتولاها البلدية: التعليم "
            "والشؤون الاجتماعية والثقافة والترويج للمدينة. ويجب إعداد الاستراتيجية بطريقة تشاركية، بالتشاور مع "
            "المهاجرين أنفسهم.",
        ),
    ),
    practice(
        "lublin-practice-migrants-in-city-hall",
        "employment",
        [("lodz", "Zatrudnienie dwóch cudzoziemców w Urzędzie Miasta Łódź")],
        title=T(
            pl="Cudzoziemcy w zespole Urzędu Miasta",
            en="Foreigners on the city hall's staff",
            uk="Іноземці в команді Міської ради",
            ar="أجانب ضمن موظفي البلدية",
        ),
        summary=T(
            pl="Urząd Miasta Lublin zatrudnia imigrantów, zwłaszcza tam, gdzie przydaje się znajomość Europy "
            "Wschodniej oraz języków rosyjskiego i ukraińskiego.",
            en="Lublin City Hall employs immigrants, especially where knowledge of Eastern Europe and of Russian and "
            "Ukrainian helps.",
            uk="Міська рада Любліна працевлаштовує іммігрантів, особливо там, де стане в пригоді знання Східної "
            "Європи та російської й української мов.",
            ar="توظّف بلدية لوبلين مهاجرين، ولا سيما حيث تفيد معرفة أوروبا الشرقية واللغتين الروسية والأوكرانية.",
        ),
        description=T(
            pl="Troje cudzoziemców pracuje w urzędzie na stałych stanowiskach, a kilkoro jest zatrudnianych na umowy "
            "zlecenia i o dzieło. Cudzoziemcy odbywają w urzędzie także praktyki i staże.",
            en="Three foreigners hold permanent posts at the city hall, and several more are hired on contracts for "
            "specific tasks. Foreigners also do internships and traineeships there.",
            uk="Троє іноземців працюють у міській раді на постійних посадах, а ще кількох залучають за договорами для "
            "виконання окремих завдань. Іноземці також проходять тут практику і стажування.",
            ar="يشغل ثلاثة أجانب وظائف دائمة في البلدية، ويُستعان بعدد آخر بعقود لمهام محددة. كما يتدرّب فيها أجانب "
            "ويقضون فيها فترات تدريب عملي.",
        ),
        recommendations=T(
            pl="Warto zatrudniać imigrantów we wszystkich jednostkach samorządu, które pracują z cudzoziemcami: "
            "w szkołach, pomocy społecznej i punktach informacyjnych. Zmniejsza to barierę językową i daje innym "
            "pracownikom wiedzę o potrzebach imigrantów.",
            en="Hire immigrants in every municipal unit that works with foreigners: schools, social services and "
            "information points. It lowers the language barrier and gives other staff a better understanding of "
            "immigrants' needs.",
            uk="Варто працевлаштовувати іммігрантів в усіх підрозділах самоврядування, що працюють з іноземцями: у "
            "школах, соціальній допомозі та інформаційних пунктах. Це зменшує мовний бар’єр і дає іншим працівникам "
            "знання про потреби іммігрантів.",
            ar="يُستحسن توظيف مهاجرين في كل الوحدات البلدية التي تعمل مع الأجانب: المدارس والخدمات الاجتماعية ونقاط "
            "المعلومات. فذلك يقلّل الحاجز اللغوي ويمنح بقية الموظفين فهماً أفضل لاحتياجات المهاجرين.",
        ),
        topics=["work"],
    ),
    practice(
        "lublin-practice-diversity-group",
        "dialogue_commission",
        [
            ("warszawa", "Komisja Dialogu Społecznego ds. Cudzoziemców"),
            ("gdansk", "Międzysektorowy i interdyscyplinarny zespół ds. modelu integracji imigrantów"),
            ("lodz", "Komisja Dialogu Obywatelskiego ds. Różnorodności i Przeciwdziałania Dyskryminacji"),
            ("wroclaw", "Zespół do spraw wielokulturowości"),
        ],
        title=T(
            pl="Grupa wspierająca zarządzanie różnorodnością kulturową",
            en="Group supporting cultural diversity management",
            uk="Група підтримки управління культурним різноманіттям",
            ar="مجموعة دعم إدارة التنوع الثقافي",
        ),
        summary=T(
            pl="Urzędnicy i organizacje pozarządowe wspólnie doradzają miastu w sprawach cudzoziemców.",
            en="Officials and NGOs advise the city together on matters concerning foreigners.",
            uk="Урядовці та громадські організації разом консультують місто в питаннях іноземців.",
            ar="يقدّم الموظفون والمنظمات غير الحكومية معاً المشورة للمدينة في شؤون الأجانب.",
        ),
        description=T(
            pl="W Lublinie działa międzysektorowa grupa, w której współpracują przedstawiciele urzędu i organizacji "
            "pozarządowych. Konsultuje działania miasta skierowane do imigrantów i pomaga podnosić ich skuteczność.",
            en="Lublin has a cross-sector group in which representatives of the city hall and NGOs work together. It "
            "reviews the city's actions for immigrants and helps make them more effective.",
            uk="У Любліні діє міжсекторна група, в якій співпрацюють представники міської ради та громадських "
            "організацій. Вона консультує дії міста для іммігрантів і допомагає підвищувати їхню ефективність.",
            ar="تعمل في لوبلين مجموعة مشتركة بين القطاعات يتعاون فيها ممثلو البلدية والمنظمات غير الحكومية. تراجع "
            "المجموعة أنشطة المدينة الموجهة إلى المهاجرين وتساعد على رفع فعاليتها.",
        ),
        recommendations=T(
            pl="Zespoły międzysektorowe warto wpisać do oficjalnych dokumentów miasta, co zapewni trwałość ich pracy. "
            "Ciała doradcze powinny opierać się na odpłatnej pracy ekspertów, z jak największym udziałem imigrantów, "
            "i obejmować np. transport miejski czy szpitale.",
            en="Write cross-sector teams into the city's official documents so their work lasts. Advisory bodies should "
            "rely on paid expert work with as many immigrants as possible, and include for example public transport "
            "and city hospitals.",
            uk="Міжсекторні команди варто закріпити в офіційних документах міста, щоб їхня робота була тривалою. "
            "Дорадчі органи мають спиратися на оплачувану роботу експертів за якомога більшої участі іммігрантів і "
            "залучати, наприклад, міський транспорт чи лікарні.",
            ar="يُستحسن إدراج الفرق المشتركة بين القطاعات في الوثائق الرسمية للمدينة لضمان استمرار عملها. وينبغي أن "
            "تعتمد الهيئات الاستشارية على عمل خبراء مدفوع الأجر، بأكبر مشاركة ممكنة للمهاجرين، وأن تضمّ مثلاً النقل "
            "العام والمستشفيات البلدية.",
        ),
    ),
    practice(
        "lublin-practice-study-in-lublin",
        "study_in_programme",
        [("gdansk", "Study in Pomorskie"), ("poznan", "Akademicki Poznań"), ("warszawa", "Study in Warsaw")],
        title=T(
            pl="Program „Study in Lublin”",
            en="The “Study in Lublin” programme",
            uk="Програма «Study in Lublin»",
            ar="برنامج «Study in Lublin»",
        ),
        summary=T(
            pl="Miasto zachęca młodzież z zagranicy do studiów na lubelskich uczelniach i pomaga nowym studentom "
            "zaaklimatyzować się w mieście.",
            en="The city encourages young people from abroad to study at Lublin's universities and helps new students "
            "settle in.",
            uk="Місто заохочує молодь з-за кордону навчатися в люблінських університетах і допомагає новим студентам "
            "адаптуватися.",
            ar="تشجّع المدينة الشباب من الخارج على الدراسة في جامعات لوبلين وتساعد الطلاب الجدد على التأقلم فيها.",
        ),
        description=T(
            pl="W ramach programu działa czterojęzyczny portal z informacjami potrzebnymi do decyzji o studiach "
            "w Lublinie. Miasto pomaga też nowo przybyłym studentom zaaklimatyzować się.",
            en="The programme runs a portal in four languages with what you need to decide on studying in Lublin. The "
            "city also helps newly arrived students settle in.",
            uk="У межах програми працює чотиримовний портал з інформацією, потрібною для рішення про навчання в "
            "Любліні. Місто також допомагає новоприбулим студентам адаптуватися.",
            ar="يدير البرنامج بوابة إلكترونية بأربع لغات تضم المعلومات اللازمة لاتخاذ قرار الدراسة في لوبلين. كما "
            "تساعد المدينة الطلاب الوافدين حديثاً على التأقلم.",
        ),
        recommendations=T(
            pl="W miastach akademickich umiędzynarodowienie uczelni powinno być zapisane nie tylko w strategiach "
            "uczelni, ale też, wzorem Lublina, w dokumentach miasta, zwłaszcza gdy liczba polskich studentów spada.",
            en="In university cities, internationalisation should be part not only of the universities' strategies but "
            "also, as in Lublin, of the city's documents, especially as the number of Polish students falls.",
            uk="В університетських містах інтернаціоналізацію варто закріплювати не лише в стратегіях університетів, а "
            "й, як у Любліні, в документах міста, особливо коли кількість польських студентів зменшується.",
            ar="في المدن الجامعية، ينبغي أن يكون تدويل الجامعات جزءاً لا من استراتيجيات الجامعات فحسب، بل أيضاً، على "
            "غرار لوبلين، من وثائق المدينة، خاصة مع تراجع عدد الطلاب البولنديين.",
        ),
        contact={"website": "https://study.lublin.eu/"},
        topics=["higher-education"],
    ),
    practice(
        "lublin-practice-foreigners-point",
        "information_point",
        [("wroclaw", "Biuro Informacji i Pomocy dla Obcokrajowców Infolink")],
        title=T(
            pl="Punkt Obsługi Cudzoziemców w Biurze Obsługi Mieszkańców",
            en="Foreigners' Service Point in the Residents' Service Office",
            uk="Пункт обслуговування іноземців у Бюро обслуговування мешканців",
            ar="نقطة خدمة الأجانب في مكتب خدمة السكان",
        ),
        summary=T(
            pl="Miejski punkt informacyjny dla imigrantów mieszkających w Lublinie.",
            en="The city's information point for immigrants living in Lublin.",
            uk="Міський інформаційний пункт для іммігрантів, які живуть у Любліні.",
            ar="نقطة المعلومات البلدية للمهاجرين المقيمين في لوبلين.",
        ),
        description=T(
            pl="Punkt udziela informacji o usługach Urzędu Miasta Lublin oraz podstawowych informacji o adresach, "
            "zadaniach i procedurach innych urzędów i instytucji działających na rzecz cudzoziemców.",
            en="The point informs about the services of Lublin City Hall, and gives basic information about the "
            "addresses, tasks and procedures of other offices and institutions working for foreigners.",
            uk="Пункт інформує про послуги Міської ради Любліна, а також надає основні відомості про адреси, завдання "
            "і процедури інших установ та інституцій, що працюють для іноземців.",
            ar="تقدّم النقطة معلومات عن خدمات بلدية لوبلين، ومعلومات أساسية عن عناوين ومهام وإجراءات المكاتب "
            "والمؤسسات الأخرى العاملة لصالح الأجانب.",
        ),
        recommendations=T(
            pl="Dostosowanie usług dla mieszkańców do potrzeb imigrantów oznacza uznanie imigrantów za mieszkańców. "
            "Kolejnym krokiem powinno być takie podejście w całej polityce miasta.",
            en="Adapting residents' services to immigrants' needs means counting immigrants as residents. The next "
            "step is to take that approach across all of the city's policy.",
            uk="Пристосування послуг для мешканців до потреб іммігрантів означає визнання іммігрантів мешканцями. "
            "Наступним кроком має стати такий підхід у всій політиці міста.",
            ar="تكييف خدمات السكان مع احتياجات المهاجرين يعني اعتبار المهاجرين من السكان. والخطوة التالية هي تطبيق "
            "هذا النهج في سياسات المدينة كلها.",
        ),
        topics=["offices-and-documents"],
    ),
    practice(
        "lublin-practice-support-network",
        "campaign",
        [
            (
                "krakow",
                "Strategia zapobiegania i reakcji na zdarzenia o charakterze rasistowskim i ksenofobicznym",
            )
        ],
        title=T(
            pl="Lubelska Regionalna Sieć Wsparcia Imigrantów i kampania „Lublin 4 all”",
            en="Lublin Regional Migrant Support Network and the “Lublin 4 all” campaign",
            uk="Люблінська регіональна мережа підтримки іммігрантів і кампанія «Lublin 4 all»",
            ar="شبكة لوبلين الإقليمية لدعم المهاجرين وحملة «Lublin 4 all»",
        ),
        summary=T(
            pl="Współpraca urzędów, organizacji pozarządowych i środowisk migranckich w Lublinie, przedstawiona na "
            "forum lokalnych polityk integracyjnych.",
            en="Cooperation of offices, NGOs and migrant communities in Lublin, presented at a forum on local "
            "integration policies.",
            uk="Співпраця установ, громадських організацій і мігрантських спільнот у Любліні, представлена на "
            "форумі місцевих інтеграційних політик.",
            ar="تعاون بين المكاتب الحكومية والمنظمات غير الحكومية ومجتمعات المهاجرين في لوبلين، عُرض في منتدى حول "
            "سياسات الدمج المحلية.",
        ),
        description=T(
            pl="Na forum w Krakowie (2013) uczestnicy z Lublina opowiadali o współpracy między sektorami w ramach "
            "Lubelskiej Regionalnej Sieci Wsparcia Imigrantów i kampanii „Lublin 4 all”. Fora organizowały w ramach "
            "wspólnego projektu trzy organizacje, w tym lubelskie Stowarzyszenie Homo Faber.",
            en="At a forum in Kraków (2013), participants from Lublin described cross-sector cooperation in the Lublin "
            "Regional Migrant Support Network and the “Lublin 4 all” campaign. Three NGOs ran the forums in a joint "
            "project, among them the Homo Faber Association from Lublin.",
            uk="На форумі в Кракові (2013) учасники з Любліна розповідали про міжсекторну співпрацю в межах "
            "Люблінської регіональної мережі підтримки іммігрантів і кампанії «Lublin 4 all». Форуми в межах "
            "спільного проєкту організовували три організації, серед них люблінська асоціація Homo Faber.",
            ar="في منتدى عُقد في كراكوف (2013)، عرض مشاركون من لوبلين التعاون بين القطاعات ضمن شبكة لوبلين "
            "الإقليمية لدعم المهاجرين وحملة «Lublin 4 all». ونظّمت المنتديات ثلاث منظمات في مشروع مشترك، من بينها "
            "جمعية هومو فابر من لوبلين.",
        ),
        recommendations=T(
            pl="Migranci chcą współtworzyć rozwiązania, które ich dotyczą. Samorządy powinny tworzyć lokalne strategie "
            "integracyjne i mieć narzędzia oraz źródła finansowania, by je wdrażać.",
            en="Migrants want to co-create the solutions that concern them. Municipalities should draw up local "
            "integration strategies and have the tools and funding to carry them out.",
            uk="Мігранти хочуть співтворити рішення, які їх стосуються. Органи самоврядування мають створювати місцеві "
            "інтеграційні стратегії та мати інструменти і джерела фінансування для їх упровадження.",
            ar="يريد المهاجرون المشاركة في صنع الحلول التي تخصّهم. وعلى البلديات أن تضع استراتيجيات دمج محلية وأن "
            "تمتلك الأدوات والتمويل اللازمين لتنفيذها.",
        ),
    ),
    practice(
        "lublin-practice-european-pact",
        "strategy",
        [
            (city, "Europejski Pakt na rzecz Integracji (EPI)")
            for city in ("cartagena", "cluj-napoca", "dietzenbach", "linkoping", "ravenna", "riga")
        ],
        title=T(
            pl="Europejski Pakt na rzecz Integracji (EPI)",
            en="European Pact for Integration (EPI)",
            uk="Європейський пакт інтеграції (EPI)",
            ar="الميثاق الأوروبي للاندماج (EPI)",
        ),
        summary=T(
            pl="Lublin i sześć innych miast europejskich wymieniały się doświadczeniami, by przygotować miejskie "
            "strategie integracji obywateli państw trzecich.",
            en="Lublin and six other European cities exchanged experience to prepare city strategies for the "
            "integration of third-country nationals.",
            uk="Люблін і ще шість європейських міст обмінювалися досвідом, щоб підготувати міські стратегії "
            "інтеграції громадян третіх країн.",
            ar="تبادلت لوبلين وست مدن أوروبية أخرى الخبرات لإعداد استراتيجيات بلدية لدمج مواطني الدول الثالثة.",
        ),
        description=T(
            pl="Projekt trwał od stycznia 2020 do czerwca 2022 r. i był finansowany z Funduszu Azylu, Migracji "
            "i Integracji. Miasta wypełniły kwestionariusz Programu Miast Międzykulturowych Rady Europy, a wywiady "
            "i grupy fokusowe z lokalnymi partnerami wskazały obszary priorytetowe.",
            en="The project ran from January 2020 to June 2022 and was funded by the Asylum, Migration and Integration "
            "Fund. The cities completed the Council of Europe's Intercultural Cities questionnaire, and interviews and "
            "focus groups with local partners pointed out the priority areas.",
            uk="Проєкт тривав із січня 2020 до червня 2022 року і фінансувався з Фонду притулку, міграції та "
            "інтеграції. Міста заповнили анкету Програми міжкультурних міст Ради Європи, а інтерв’ю та фокус-групи з "
            "місцевими партнерами визначили пріоритетні сфери.",
            ar="استمر المشروع من يناير 2020 حتى يونيو 2022، ومُوِّل من صندوق اللجوء والهجرة والاندماج. وملأت المدن "
            "استبيان برنامج المدن متعددة الثقافات التابع لمجلس أوروبا، وحدّدت المقابلات ومجموعات النقاش مع الشركاء "
            "المحليين المجالات ذات الأولوية.",
        ),
        results=T(
            pl="Przegląd międzykulturowy każdego miasta i rekomendacje do miejskiej strategii integracji.",
            en="An intercultural review of each city and recommendations for a city integration strategy.",
            uk="Міжкультурний огляд кожного міста і рекомендації для міської стратегії інтеграції.",
            ar="مراجعة متعددة الثقافات لكل مدينة وتوصيات لاستراتيجية الدمج البلدية.",
        ),
        recommendations=T(
            pl="Porównuj miasto z innymi według wspólnego indeksu i angażuj lokalnych partnerów w interpretację wyników.",
            en="Compare your city with others on a shared index, and involve local partners in reading the results.",
            uk="Порівнюйте своє місто з іншими за спільним індексом і залучайте місцевих партнерів до тлумачення "
            "результатів.",
            ar="قارن مدينتك بالمدن الأخرى وفق مؤشر مشترك، وأشرك الشركاء المحليين في تفسير النتائج.",
        ),
    ),
]
