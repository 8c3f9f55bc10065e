// Arabic part of the name and address corpus: a seeded source of values, then the templates,
// hand-written sentences and hard negatives of the test part and, separately, of the dev part.
// Conventions and construction are documented in pii-corpus.ts.
import { Faker, ar, base, en } from '@faker-js/faker';
import type { LanguageSource, Piece, Template } from './pii-corpus.js';

type Sex = 'female' | 'male';

export interface ArabicValues {
  /** اسم أول، من الجنس المطلوب أو عشوائياً. */
  first(sex?: Sex): string;
  /** اسم العائلة. */
  last(): string;
  /** اسم كامل: أول وعائلة، أو بنسب (بن، بنت)، أو ثلاثي. */
  full(sex?: Sex): string;
  /** لقب (السيد، السيدة، الدكتور، د.، الأستاذة، المهندس…) مع اسم كامل يوافقه. */
  titledFull(sex?: Sex): [title: string, name: string];
  /** لقب مع اسم العائلة وحده: «الدكتور العتيبي». */
  titledLast(): [title: string, name: string];
  /** رقم مبنى واسم شارع: '7280 جادة الشيباني'، '15 شارع التحرير'. */
  street(): string;
  /** عنوان على سطر واحد: عنوان وطني سعودي، أو مصري، أو أردني، أو مغربي، أو إماراتي. */
  address(): string;
  /** '2345 طريق الملك عبدالعزيز، حي الملز، الرياض 12629 - 7890'. */
  nationalAddress(): string;
  /** 'الرياض 12629'، 'الدار البيضاء 20330'. */
  cityPostcode(): string;
  /** '12629'. */
  postcode(): string;
  /** 'ص.ب 1234'، 'صندوق بريد 4417'. */
  poBox(): string;
  /** A box with its city and postcode: 'ص.ب 1234، الرياض 11431'. */
  poBoxCity(): string;
  weekday(): string;
  month(): string;
  /** '1985/03/12' أو '12 مارس 1985'. */
  date(): string;
  /** Western or Arabic-Indic digits, at random. */
  digits(text: string): string;
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(probability: number): boolean;
}

// Written for this corpus: names common in the Gulf, the Levant, Egypt and the Maghreb.
const givenNames = {
  female: [
    'فاطمة',
    'نورة',
    'مريم',
    'هيا',
    'ريم',
    'لطيفة',
    'سارة',
    'منيرة',
    'أسماء',
    'خديجة',
    'رنا',
    'لينا',
    'دعاء',
    'شيماء',
    'ياسمين',
    'سلمى',
    'حنان',
    'عبير',
    'إيناس',
    'غادة',
  ],
  male: [
    'محمد',
    'عبدالله',
    'خالد',
    'فهد',
    'سلطان',
    'عبدالرحمن',
    'يوسف',
    'عمر',
    'طارق',
    'ماجد',
    'بندر',
    'مصطفى',
    'أحمد',
    'حمزة',
    'إبراهيم',
    'زياد',
    'وليد',
    'هشام',
    'يزن',
    'عبدالإله',
  ],
};
const familyNames = [
  'العتيبي',
  'القحطاني',
  'الشمري',
  'الدوسري',
  'الغامدي',
  'الزهراني',
  'الحربي',
  'المطيري',
  'حداد',
  'خوري',
  'بنعلي',
  'العلوي',
  'الإدريسي',
  'عبد الرحمن',
  'النجار',
  'الحسيني',
  'السبيعي',
  'العنزي',
  'البلوشي',
  'الكعبي',
  'المهيري',
  'بن عمر',
  'أبو زيد',
  'الشهري',
  'التميمي',
  'الفاسي',
  'المرزوقي',
  'عيسى',
];
const fathers = ['محمد', 'عبدالله', 'سعد', 'ناصر', 'علي', 'حسن', 'سالم', 'إبراهيم', 'صالح', 'عبدالعزيز'];
// Saudi cities with one of their real postcodes and districts; other countries' cities likewise.
const saudiCities: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
  [
    'الرياض',
    ['12629', '11564', '12211', '13315', '12271', '14513'],
    ['الملز', 'العليا', 'النسيم', 'الروضة', 'السليمانية', 'الياسمين'],
  ],
  ['جدة', ['23434', '21577', '23511', '22246', '23218'], ['الحمراء', 'الصفا', 'الشاطئ', 'النهضة', 'الروضة']],
  ['الدمام', ['32241', '32415', '34222'], ['الفيصلية', 'الشاطئ', 'المزروعية']],
  ['مكة المكرمة', ['24231', '24243', '24351'], ['العزيزية', 'الشوقية']],
  ['المدينة المنورة', ['42311', '42351'], ['قباء', 'العوالي']],
  ['الخبر', ['34428', '34621'], ['العقربية', 'الثقبة']],
  ['أبها', ['62521', '62529'], ['المنسك', 'الخالدية']],
];
const saudiStreets = [
  'طريق الملك عبدالعزيز',
  'شارع الأمير سلطان',
  'طريق الملك فهد',
  'شارع التحلية',
  'شارع العليا العام',
  'شارع الستين',
  'شارع الأربعين',
  'طريق الدائري الشرقي',
  'شارع عثمان بن عفان',
  'شارع الأمير محمد بن عبدالعزيز',
];
const otherCities: ReadonlyArray<readonly [string, string]> = [
  ['القاهرة', '11511'],
  ['الجيزة', '12611'],
  ['الإسكندرية', '21599'],
  ['عمّان', '11183'],
  ['إربد', '21110'],
  ['الدار البيضاء', '20330'],
  ['الرباط', '10000'],
  ['مراكش', '40000'],
  ['تونس', '1002'],
  ['صفاقس', '3000'],
  ['الكويت', '13001'],
  ['المنامة', '317'],
];
const weekdays = ['الأحد', 'الاثنين', 'الثلاثاء', 'الأربعاء', 'الخميس', 'الجمعة', 'السبت'];
const months = [
  'يناير',
  'فبراير',
  'مارس',
  'أبريل',
  'مايو',
  'يونيو',
  'يوليو',
  'أغسطس',
  'سبتمبر',
  'أكتوبر',
  'نوفمبر',
  'ديسمبر',
];

const arabicIndic = '٠١٢٣٤٥٦٧٨٩';
/** Writes Western digits as Arabic-Indic ones (each is one UTF-16 unit, so lengths do not change). */
export const toArabicIndic = (text: string): string => text.replace(/[0-9]/g, (digit) => arabicIndic[Number(digit)]!);

export function arabicValues(seed: number): ArabicValues {
  const faker = new Faker({ locale: [ar, en, base] });
  faker.seed(seed);
  const pick = <T>(list: readonly T[]): T => faker.helpers.arrayElement(list);
  const int = (min: number, max: number): number => faker.number.int({ min, max });
  const chance = (probability: number): boolean => faker.datatype.boolean(probability);
  const digits = (text: string): string => (chance(0.3) ? toArabicIndic(text) : text);
  const anySex = (): Sex => (chance(0.5) ? 'female' : 'male');
  const firstOf = (sex: Sex): string => (chance(0.4) ? pick(givenNames[sex]) : faker.person.firstName(sex));
  // One entry of faker's ar list is split inside its article ('الع لويني'); it is drawn again.
  const fakerLast = (): string => {
    let name = faker.person.lastName();
    while (/(?:^|\s)ال\S?(?:\s|$)/u.test(name)) name = faker.person.lastName();
    return name;
  };
  const last = (): string => (chance(0.4) ? pick(familyNames) : fakerLast());
  const fullOf = (sex: Sex): string => {
    const roll = int(1, 10);
    if (roll === 1) return `${firstOf(sex)} ${sex === 'male' ? 'بن' : 'بنت'} ${pick(fathers)} ${last()}`;
    if (roll === 2) return `${firstOf(sex)} ${pick(fathers)} ${last()}`;
    return `${firstOf(sex)} ${last()}`;
  };
  const titleOf = (sex: Sex): string =>
    pick(
      sex === 'male'
        ? ['السيد', 'السيد', 'الأستاذ', 'الدكتور', 'د.', 'المهندس']
        : ['السيدة', 'السيدة', 'الأستاذة', 'الدكتورة', 'د.', 'الآنسة'],
    );
  // Faker's ar street list has a few entries with a comma inside ('درب، طريق ريم'), which would read as two parts.
  const fakerStreet = (): string => {
    let street = faker.location.street();
    while (street.includes('،')) street = faker.location.street();
    return street;
  };
  const street = (): string =>
    chance(0.5)
      ? `${int(1, 9999)} ${fakerStreet()}`
      : `${int(1, 120)} ${pick(['شارع التحرير', 'شارع الجمهورية', 'شارع الملك فيصل', 'شارع الحمراء', 'شارع الجامعة', 'شارع النيل', 'شارع الاستقلال', 'شارع المعز'])}`;
  const nationalAddress = (): string => {
    const [city, codes, districts] = pick(saudiCities);
    return `${int(1000, 9999)} ${pick(saudiStreets)}، حي ${pick(districts)}، ${city} ${pick(codes)}${chance(0.6) ? ` - ${int(2000, 9999)}` : ''}`;
  };
  const otherAddress = (): string => {
    const [city, code] = pick(otherCities);
    switch (int(1, 4)) {
      case 1:
        return `${int(1, 80)} ${pick(['شارع مصدق', 'شارع جامعة الدول العربية', 'شارع التسعين', 'شارع صلاح سالم'])}، ${pick(['الدقي، الجيزة', 'المهندسين، الجيزة', 'مدينة نصر، القاهرة', 'التجمع الخامس، القاهرة الجديدة'])}`;
      case 2:
        return `عمارة ${int(1, 60)}، ${pick(['شارع وصفي التل', 'شارع مكة', 'شارع الجاردنز'])}، عمّان ${pick(['11183', '11195', '11821'])}`;
      case 3:
        return `${int(1, 200)} زنقة ${pick(['الأطلس', 'ابن سينا', 'الحرية', 'طنجة'])}، حي ${pick(['المعاريف', 'أكدال', 'جليز'])}، ${pick(['الدار البيضاء 20330', 'الرباط 10090', 'مراكش 40000'])}`;
      default:
        return `${street()}، ${city} ${code}`;
    }
  };
  const cityPostcode = (): string => {
    if (chance(0.5)) {
      const [city, codes] = pick(saudiCities);
      return `${city} ${pick(codes)}${chance(0.3) ? ` - ${int(2000, 9999)}` : ''}`;
    }
    const [city, code] = pick(otherCities);
    return `${city} ${code}`;
  };
  const poBox = (): string =>
    pick([
      `ص.ب ${int(100, 99999)}`,
      `ص. ب. ${int(100, 9999)}`,
      `صندوق بريد ${int(100, 99999)}`,
      `ص.ب ${int(100, 9999)}`,
    ]);
  return {
    first: (sex) => firstOf(sex ?? anySex()),
    last,
    full: (sex) => fullOf(sex ?? anySex()),
    titledFull: (sex) => {
      const chosen = sex ?? anySex();
      return [titleOf(chosen), fullOf(chosen)];
    },
    titledLast: () => [titleOf(anySex()), pick(familyNames)],
    street: () => digits(street()),
    address: () => digits(chance(0.5) ? nationalAddress() : otherAddress()),
    nationalAddress: () => digits(nationalAddress()),
    cityPostcode: () => digits(cityPostcode()),
    postcode: () => digits(pick(pick(saudiCities)[1])),
    poBox: () => digits(poBox()),
    poBoxCity: () => digits(`${poBox()}${chance(0.5) ? '،' : ''} ${cityPostcode()}`),
    weekday: () => pick(weekdays),
    month: () => pick(months),
    date: () =>
      chance(0.5)
        ? `${int(1931, 2006)}/${String(int(1, 12)).padStart(2, '0')}/${String(int(1, 28)).padStart(2, '0')}`
        : `${int(1, 28)} ${pick(months)} ${int(1931, 2006)}`,
    digits,
    int,
    pick,
    chance,
  };
}

const titled = ([title, name]: [string, string]): Piece[] => [`${title} `, { name }];

// ---------------------------------------------------------------------------------------------
// جزء الاختبار: الأسماء.

const testNameContextTemplates: Array<Template<ArabicValues>> = [
  (values) => [
    'عزيزي ',
    { name: values.first('male') },
    `،\n\nأرجو إرسال تقرير الخروج للمريض قبل يوم ${values.weekday()}، مع نتائج التحاليل الأخيرة.\n\nمع التحية،\n`,
    { name: values.first() },
  ],
  (values) => [
    'لخّص لي هذه الإحالة: «نحيل إليكم ',
    ...titled(values.titledFull('male')),
    `، البالغ من العمر ${values.digits('58')} عاماً، لتقييم ألم في الصدر عند بذل الجهد منذ ثلاثة أسابيع.»`,
  ],
  (values) => [
    'اسم المريض: ',
    { name: values.full('male') },
    `\nتاريخ الميلاد: ${values.digits(values.date())}\nالقسم: الباطنية\nالشكوى الرئيسية: ضيق في التنفس وسعال`,
  ],
  (values) => [
    'السلام عليكم، اسمي ',
    { name: values.full() },
    ' وأريد الاعتراض على خصم مبلغ مرتين من حسابي هذا الشهر.',
  ],
  (values) => [
    'اكتب رداً مهذباً على ',
    ...titled(values.titledLast()),
    ` للاعتذار عن حضور اجتماع يوم ${values.weekday()}.`,
  ],
  (values) => [
    'محضر اجتماع لجنة المشتريات\nالحاضرون: ',
    { name: values.full() },
    ' (رئيساً)، ',
    { name: values.full() },
    '، ',
    { name: values.full() },
    '\nالمعتذرون: ',
    { name: values.full() },
  ],
  (values) => [
    'راجعت المريضة عيادة العظام اليوم وفحصها الدكتور ',
    { name: values.last() },
    '؛ تظهر الأشعة التئاماً جيداً للكسر.',
  ],
  (values) => [
    'يرجى تحديث ملف الموظف ',
    { name: values.full('male') },
    ` لدى الموارد البشرية: يعود من الإجازة في ${values.digits(String(values.int(1, 28)))} ${values.month()} ويعمل أربعة أيام في الأسبوع.`,
  ],
  (values) => [
    'نشكركم على صبركم أثناء دراسة المطالبة، وسيصلكم الشيك خلال عشرة أيام عمل.\n\nوتفضلوا بقبول فائق الاحترام،\n',
    { name: values.full() },
    '\nأخصائي المطالبات',
  ],
  (values) => [
    'ترجم إلى الإنجليزية: «يلقي ',
    ...titled(values.titledFull('male')),
    ' المحاضرة الافتتاحية في القاعة الرئيسية الساعة التاسعة والنصف.»',
  ],
  (values) => ['الاسم: ', { name: values.full() }, '\nالوظيفة المتقدم لها: محلل بيانات\nفترة الإشعار: شهر واحد'],
  (values) => [
    'أنا ',
    { name: values.first('female') },
    '، مديرة العيادة، هل يمكنك مساعدتي في صياغة إعلان عن مواعيد الدوام الجديدة؟',
  ],
  (values) => [
    'التوقيع: ',
    { name: values.full() },
    `    التاريخ: ${values.digits(values.date())}\nالشاهد: `,
    { name: values.full('male') },
  ],
  (values) => [
    'وصلت شكوى من ',
    ...titled(values.titledFull('female')),
    ` بشأن انتظار دام ساعتين في قسم الطوارئ ليلة ${values.weekday()}، وتطلب رداً مكتوباً.`,
  ],
  (values) => [
    'هلا ',
    { name: values.first('male') },
    '! وصلك جدول المناوبات للأسبوع الجاي؟ عندك مسائي الثلاثاء والأربعاء. تحياتي، ',
    { name: values.first() },
  ],
  (values) => ['ماذا أقول لابنة ', ...titled(values.titledFull('male')), ' عن مواعيد الزيارة في وحدة السكتة الدماغية؟'],
];

const testNameContextSentences: Array<Piece[] | string> = [
  ['السيدة ', { name: 'هيفاء المطيري' }, ' راجعت العيادة اليوم، وتفيد بتحسن ملحوظ على الجرعة الحالية.'],
  ['من: ', { name: 'ماجد الشهري' }, '\nإلى: الحسابات\nالموضوع: استفسار عن ضريبة القيمة المضافة في الفاتورة 4471'],
  ['اسمي ', { name: 'عبدالإله بن سعد التميمي' }, ' وابغى اقفل حساب التوفير، وش الأوراق المطلوبة؟'],
  ['د. ', { name: 'نادية خوري' }, '، استشارية الروماتيزم، وافقت على تولي عيادة الخميس اعتباراً من الشهر القادم.'],
  ['صحّح الأخطاء في هذه الجملة: «أُبلغ الأستاذ ', { name: 'يزن أبو زيد' }, ' بنتيجة التظلم بخطاب رسمي»'],
  ['محوّل من: الدكتور ', { name: 'سامر حداد' }, ' (طبيب الأسرة)\nسبب الإحالة: اشتباه انقطاع النفس أثناء النوم'],
  ['شكراً جزيلاً يا ', { name: 'لطيفة' }, '، الجدول اشتغل الآن.'],
  ['الاسم الرباعي: ', { name: 'مريم عبدالله ناصر الكعبي' }, '\nرقم الملف الطبي: 00418822\nالحساسية: البنسلين'],
  ['صباح الخير أستاذ ', { name: 'وليد' }, '، تم تأجيل موعدك إلى الساعة الثانية والربع في اليوم نفسه.'],
  ['تفيد المدعية، السيدة ', { name: 'أسماء الفاسي' }, '، بأن الطرد تُرك خارج المنزل تحت المطر.'],
  ['يرجى إصدار الشهادة باسم الدكتورة ', { name: 'غادة البلوشي' }, ' لا باسم القسم.'],
  [
    'تسليم المناوبة: سرير ١٢، السيد ',
    { name: 'إبراهيم المرزوقي' },
    '، ٨١ سنة، اليوم الثاني بعد العملية، يمشي بالمشاية والألم تحت السيطرة.',
  ],
  ['مرحباً، معك ', { name: 'شيماء' }, ' من قسم الرواتب، أحتاج معادلة تجمع ساعات العمل الإضافي من الورقة الثانية.'],
  ['المريض ', { name: 'زياد العنزي' }, ' نُصح بالعودة إذا استمرت الحرارة أكثر من 48 ساعة.'],
  ['يُرجى حجز غرفة للسيدة ', { name: 'ماري دوبوا' }, ' ليلتين ابتداءً من الخميس.'],
  ['مع خالص التحية،\n', { name: 'رنا التميمي' }, '\nإدارة العلاقات العامة'],
];

const testNameBareTemplates: Array<Template<ArabicValues>> = [
  (values) => [
    { name: values.full('male') },
    ' اتصل مرة أخرى بخصوص تأخر الشحنة ويطلب استرداد المبلغ قبل نهاية الأسبوع.',
  ],
  (values) => [
    'أعد صياغة هذه الجملة بأسلوب رسمي: ',
    { name: values.full('male') },
    ' و',
    { name: values.full('male') },
    ' سيقودان التدقيق بدعم من الإدارة المالية.',
  ],
  (values) => ['هل صحيح أن ', { name: values.full('male') }, ' صوّت ضد المقترح بحسب المحضر؟'],
  (values) => [
    'لخّص: التحقت ',
    { name: values.full('female') },
    ` بالبنك عام ${values.digits('2015')}، ثم انتقلت إلى إدارة الالتزام، وتدير الآن فريق فحص العقوبات.`,
  ],
  (values) => ['من يعتمد مطالبة المصروفات التي قدمها ', { name: values.full('male') }, '؟'],
  (values) => [
    'مبروك لـ',
    { name: values.full() },
    ' و',
    { name: values.full() },
    ' و',
    { name: values.full() },
    ' على اجتياز اختبار التمريض!',
  ],
  (values) => ['كلمت ', { name: values.full('male') }, ' في الفرع الصباح، ويقول إن البطاقة انحظرت من نظام الاحتيال.'],
  (values) => ['تأخرت الرحلة مجدداً، لذلك ستأخذ ', { name: values.full('female') }, ' الأولاد من المدرسة.'],
];

const testNameBareSentences: Array<Piece[] | string> = [
  [{ name: 'هند السبيعي' }, ' تعمل في فريق الإسكان منذ ست سنوات وأوصي بها دون تردد.'],
  ['حضر الاجتماع ', { name: 'سامي الخطيب' }, ' و', { name: 'ريم العنزي' }, ' فقط.'],
  ['لماذا حصل ', { name: 'عمر بن سالم الدوسري' }, ' على رمز ضريبي مختلف عن زملائه؟'],
  ['أعدّ التقرير ', { name: 'طارق النجار' }, '، وراجعه ', { name: 'بندر الغامدي' }, '، واعتُمد يوم الثلاثاء الماضي.'],
  ['نحتاج رسالة وداع لـ', { name: 'منيرة الحربي' }, ' التي تتقاعد بعد ثلاثين عاماً في جناح الأطفال.'],
  ['يبدو أن ', { name: 'حمزة الإدريسي' }, ' يتقاضى راتباً زائداً منذ أبريل.'],
  [
    'الفريق أ: ',
    { name: 'دعاء المهيري' },
    '، ',
    { name: 'فيصل القحطاني' },
    '، ',
    { name: 'يوسف العلوي' },
    '. الفريق ب: بقية الطابق.',
  ],
  ['هل يحق ل', { name: 'فاطمة الزهراني' }, ' استرداد قيمة الوصفة التي دفعتها مرتين؟'],
];

// ---------------------------------------------------------------------------------------------
// جزء الاختبار: العناوين.

const testStreetTemplates: Array<Template<ArabicValues>> = [
  (values) => [
    'يرجى توصيل الطلب إلى ',
    { address: values.nationalAddress() },
    '، وتركه عند حارس العمارة إذا لم يرد أحد.',
  ],
  (values) => [
    'عزيزي ',
    ...titled(values.titledFull('male')),
    '،\n\nنؤكد لكم تحديث عنوان المراسلات إلى: ',
    { address: values.address() },
    '.\n\nمع التحية،\nخدمة العملاء',
  ],
  (values) => [
    'العنوان: ',
    { address: values.street() },
    '\n',
    { address: values.cityPostcode() },
    '\nطريقة التواصل المفضلة: رسالة نصية',
  ],
  (values) => [
    'انتقلت إلى ',
    { address: values.street() },
    ' الشهر الماضي، لكن كشوف الحساب ما زالت تصل إلى الشقة القديمة.',
  ],
  (values) => [
    `زيارة منزلية يوم ${values.weekday()} في `,
    { address: values.address() },
    '؛ المريض طريح الفراش والمفتاح عند ممرضة الرعاية المنزلية.',
  ],
  (values) => [{ address: values.street() }, `: السخان يسرّب منذ يوم ${values.weekday()} والمالك لا يرد.`],
  (values) => [
    'أرسلوا صندوقين من القفازات إلى العيادة على العنوان ',
    { address: values.address() },
    '، عناية مشرفة التمريض.',
  ],
  (values) => [
    'حوّل هذا إلى ترويسة خطاب رسمي:\n',
    { name: values.full() },
    '\n',
    { address: values.street() },
    '\n',
    { address: values.cityPostcode() },
  ],
  (values) => ['العناوين السابقة: ', { address: values.address() }, '؛ ', { address: values.address() }],
  (values) => [
    'وقع الحادث أمام ',
    { address: values.street() },
    ` قرابة الساعة ${values.digits(String(values.int(5, 11)))} مساءً بحسب إفادة الشاهد.`,
  ],
  (values) => [
    'المقر الرئيسي: ',
    { address: values.nationalAddress() },
    ` — سجل تجاري رقم ${values.digits(String(values.int(1010000000, 1010999999)))}`,
  ],
  (values) => ['سُلّم الطرد إلى الجار في ', { address: values.street() }, '، هل يمكنك كتابة شكوى لشركة الشحن؟'],
];

const testStreetSentences: Array<Piece[] | string> = [
  [{ address: '2345 طريق الملك عبدالعزيز، حي الملز، الرياض 12629 - 7890' }, ' هو العنوان الوطني المسجل للمنشأة.'],
  ['هل يقع ', { address: '١٥ شارع التحرير، الدقي، الجيزة' }, ' ضمن نطاق التوصيل؟'],
  ['عنواني الجديد ', { address: 'فيلا 14، شارع 25، الجميرا 2، دبي' }, ' لو سمحت حدّثه'],
  ['عقد الإيجار في ', { address: 'عمارة 9، شارع الجاردنز، عمّان' }, ' ينتهي في يونيو ولم يُرد مبلغ التأمين بعد.'],
  ['التوصيل: ', { address: 'مستودع 12، 3 طريق الميناء، جدة 21577' }, ' (رصيف التحميل في الخلف)'],
  ['وُجدت في منزلها (', { address: '٧ شارع المعز' }, ') على يد جارتها التي اتصلت بالإسعاف.'],
  ['اكتب شكوى للبلدية عن الحفر أمام ', { address: '18 شارع الاستقلال، صفاقس' }, '.'],
  ['مكتبنا الجديد في ', { address: 'شقة 1203، 88 شارع الشيخ زايد، دبي' }, '.'],
  ['عنوان الفوترة:\n', { address: '45 زنقة ابن سينا، أكدال' }, '\n', { address: 'الرباط 10090' }],
  ['أسكن في ', { address: '٣٢١٤ شارع الأمير سلطان، حي الروضة، جدة ٢٣٤٣٤' }, ' والنفايات لم تُجمع منذ ثلاثة أسابيع.'],
];

const testPostcodeTemplates: Array<Template<ArabicValues>> = [
  (values) => ['هل يشمل التوصيل في نفس اليوم الرمز البريدي ', { address: values.postcode() }, '؟'],
  (values) => ['تعيش المريضة وحدها في ', { address: values.cityPostcode() }, ' وليس لديها من يرعاها.'],
  (values) => ['عنواننا البريدي: ', { address: values.poBoxCity() }, '. يرجى عدم إرسال الشيكات إلى الفرع.'],
  (values) => ['الرمز البريدي: ', { address: values.postcode() }, '\nالدولة: المملكة العربية السعودية'],
  (values) => ['سننقل المستودع إلى ', { address: values.cityPostcode() }, ' في الربيع.'],
  (values) => ['هل ', { address: values.cityPostcode() }, ' ضمن نطاق خدمة العلاج الطبيعي المنزلي؟'],
];

const testPostcodeSentences: Array<Piece[] | string> = [
  ['ترسل جميع المراسلات إلى ', { address: 'ص.ب 4417 جدة 21491' }, '، المملكة العربية السعودية.'],
  ['رمزي البريدي ', { address: '11564' }, ' لكن التطبيق يقول إنه غير صحيح.'],
  ['انتقل المقر من جدة إلى ', { address: 'الرياض 12211' }, ' العام الماضي.'],
  ['تُحرر الشيكات باسم الجمعية وتُرسل إلى ', { address: 'صندوق بريد ٢٢٥٠' }, '.'],
  ['أنا في ', { address: 'الرياض 12629 - 7890' }, '، هل يقدر المندوب يوصل بهذا فقط؟'],
  ['عنوان المراسلة: ', { address: 'ص. ب. 811 المنامة' }, '، مملكة البحرين.'],
];

// ---------------------------------------------------------------------------------------------
// جزء الاختبار: سلبيات صعبة (لا اسم شخص ولا عنوان بريدي).

const destinations = ['الرياض', 'دبي', 'القاهرة', 'جدة', 'الدار البيضاء', 'عمّان', 'باريس'];
const medicines = ['بنادول', 'أوجمنتين', 'فولتارين', 'بروفين', 'جلوكوفاج', 'نيكسيوم', 'كونكور'];

const testNegativeTemplates: Array<Template<ArabicValues>> = [
  (values) => [
    `رحلتكم SV ${values.int(100, 1999)} المتجهة إلى ${values.pick(destinations)} تغادر من الصالة ${values.digits(String(values.int(1, 5)))}، البوابة ${values.pick(['A', 'B', 'C'])}${values.int(1, 40)}.`,
  ],
  (values) => [
    `الفاتورة رقم ${values.digits(String(values.int(10000, 99999)))} بمبلغ ${values.digits(String(values.int(100, 9999)))} ريالاً تستحق في ${values.digits(String(values.int(1, 28)))} ${values.month()}.`,
  ],
  (values) => [
    `تم حجز القاعة ${values.digits(String(values.int(1, 40)))} في المبنى ${values.pick(['أ', 'ب', 'ج', 'د'])} لمراجعة ميزانية ${values.digits(String(values.int(2019, 2026)))}.`,
  ],
  (values) => [
    `${values.pick(medicines)} ${values.digits(values.pick(['500', '1000', '850', '20', '5']))} ملغ ${values.pick(['مرة', 'مرتين', 'ثلاث مرات'])} يومياً بعد الأكل لمدة ${values.digits(String(values.int(5, 30)))} يوماً.`,
  ],
  (values) => [
    `الطلب رقم ${values.digits(String(values.int(100000, 999999)))}: ${values.digits(String(values.int(2, 12)))} علب قفازات، رمز المنتج ${values.int(10000, 99999)}-${values.pick(['S', 'M', 'L'])}، شُحن يوم ${values.weekday()}.`,
  ],
  (values) => [
    `نُقل الاجتماع الأسبوعي من يوم ${values.weekday()} إلى الساعة ${values.digits(String(values.int(8, 16)))}:${values.digits(values.pick(['00', '30']))}؛ جدول الأعمال: أهداف الربع ${values.pick(['الأول', 'الثاني', 'الثالث', 'الرابع'])}.`,
  ],
  (values) => [
    `المرجع: ${values.pick(['م ع', 'ش ق', 'ت س'])}/${values.digits(String(values.int(1000, 99999)))}/${values.digits(String(values.int(1440, 1447)))}هـ. يرجى ذكر هذا الرقم في جميع المراسلات.`,
  ],
  (values) => [
    `السرير ${values.digits(String(values.int(1, 30)))} في الجناح ${values.digits(String(values.int(1, 12)))} متاح ابتداءً من الساعة ${values.digits(String(values.int(1, 11)))} صباحاً.`,
  ],
  (values) => [
    `تحويل ${values.digits(String(values.int(1000, 90000)))} ريال إلى ${values.pick(['البنك الأهلي السعودي', 'بنك الرياض', 'بنك مسقط', 'بنك أبوظبي الأول', 'البنك العربي'])} مجدول يوم ${values.weekday()}.`,
  ],
  (values) => [
    `القطار المتجه إلى ${values.pick(['مكة المكرمة', 'المدينة المنورة', 'الدمام', 'القصيم'])} يغادر من الرصيف ${values.digits(String(values.int(1, 8)))} متأخراً ${values.digits(String(values.int(5, 45)))} دقيقة.`,
  ],
  (values) => [
    `نادي السينما الليلة: ${values.pick(['12 رجلاً غاضباً', 'أبوللو 13', 'الرسالة', 'ذيب', 'وجدة'])}، القاعة ${values.digits(String(values.int(1, 20)))}.`,
  ],
  (values) => [
    `العلامات الحيوية: الحرارة ${values.digits(`${values.int(36, 39)}.${values.int(0, 9)}`)}، الضغط ${values.digits(`${values.int(100, 160)}/${values.int(60, 95)}`)}، النبض ${values.digits(String(values.int(55, 110)))}، التشبع ${values.digits(String(values.int(90, 99)))}٪.`,
  ],
];

const testNegativeSentences: Array<Piece[] | string> = [
  // ألقاب ووظائف بلا أسماء.
  'السادة الكرام،\n\nأرجو تزويدي بنسخة من كشوف حسابي للعام الماضي.',
  'المريض بحالة مستقرة.',
  'سيراك الطبيب الآن.',
  'عزيزي العميل، كشف حسابك متاح الآن عبر التطبيق.',
  'إلى من يهمه الأمر: حامل هذا الخطاب مفوض باستلام المستندات.',
  'يُطلب من المريضة نزع المجوهرات قبل التصوير بالرنين.',
  'تم إبلاغ الطبيب المناوب وسيمر بعد الجولة.',
  'حضرة المدير المحترم،\n\nتجدون مرفقاً سيرتي الذاتية.',
  'مرحباً بالجميع، تذكير بتسليم كشوف الدوام قبل الظهر.',
  'مع خالص التحية،\nفريق خدمة العملاء',
  'وتفضلوا بقبول فائق الاحترام،\nإدارة الموارد البشرية',
  'السلام عليكم ورحمة الله وبركاته',
  'هل نكتب «السيد» أم «الأستاذ» في المراسلات الرسمية؟',
  'اسمي ليس مهماً، أريد فقط معرفة طريقة الاعتراض على عملية خصم.',
  'سيجيب الوزير عن أسئلة أعضاء المجلس يوم الأربعاء.',
  'المريض ذكر يبلغ من العمر 64 عاماً، مصاب بالسكري من النوع الثاني وارتفاع الضغط.',
  'وقّع نيابة عن مجلس الإدارة.',
  // كلمات الطريق والحي في النثر.
  'الشارع مزدحم جداً في هذا الوقت.',
  'هو حي يرزق والحمد لله.',
  'حي على الصلاة، حي على الفلاح.',
  'المريضة على الطريق الصحيح للتعافي.',
  'طريق النجاح طويل لكنه يستحق.',
  'رجل الشارع العادي لا يفهم هذه المصطلحات.',
  'وضعنا خارطة طريق للمشروع حتى نهاية العام.',
  'قطع المحتجون الطريق لساعات.',
  'خذ المخرج الثاني عند الدوار ثم اتبع اللوحات.',
  'الحي القديم مليء بالمقاهي الجميلة.',
  'ممر المشاة أمام المدرسة بحاجة إلى إشارة.',
  'الرصيف رقم 3 مخصص للقطارات السريعة.',
  'الممر 12، الرف ب: مواد التنظيف.',
  // أرقام تتبعها كلمات.
  'فيلم 12 رجلاً غاضباً من أفضل أفلام المحاكم.',
  'مراجعة ميزانية 2024: مسودة للنقاش',
  'نحتاج 45 رخصة ويندوز 11 للأجهزة الجديدة.',
  'تم تحويل 50000 ريال بالخطأ ويجب استرجاعها.',
  'رؤية 2030 تركز على تنويع الاقتصاد.',
  'المادة 12 من نظام العمل تحدد ساعات الدوام.',
  'الطابق 3، الجناح ج مغلق للتنظيف.',
  '3 بيتزا و2 عصير برتقال لو سمحت.',
  'أفضل 10 نصائح لنوم أفضل',
  '٥٠ سؤالاً شائعاً عن التأمين الصحي',
  // رموز تشبه الرموز البريدية.
  'الرحلة SV 1020 تصعد من البوابة 22.',
  'رحلة EK 202 ألغيت بسبب الضباب.',
  'رقم الطلب 12629 تم إلغاؤه.',
  'استخدم رمز الخصم RAMADAN24 عند الدفع.',
  'الدفعة 11564 لم تجتز فحص الجودة.',
  'رمز الخطأ E24 في الغسالة يعني مشكلة في التصريف.',
  'الرقم المجاني 8001240000 متاح على مدار الساعة.',
  'رقم التتبع SA 123 456 789.',
  'رقم الموديل 23434-ب متوفر مجدداً.',
  'رقم التذكرة ٤٥٦٧٨ قيد المعالجة.',
  'اتصل بالرقم 937 للاستفسارات الصحية.',
  // كلمات هي أيضاً أسماء.
  'صباح الخير، كيف أقدر أساعدك؟',
  'عيد سعيد وكل عام وأنتم بخير.',
  'نور الشمس مفيد لفيتامين د.',
  'الطقس جميل اليوم.',
  'لدينا أمل كبير في نجاح العلاج.',
  'كان القرار عادلاً في رأي الجميع.',
  'رجل كريم ساعد الجميع دون مقابل.',
  'فرح كبير عمّ القسم بعد خروج المريض.',
  'وصل الطرد سالماً والحمد لله.',
  'سعيد بلقائك، تفضل بالجلوس.',
  'حسن الخلق من أهم صفات الموظف.',
  'أمين الصندوق سيراجع المصروفات.',
  'برنامج الوفاء يمنحك نقاطاً مع كل عملية شراء.',
  'نجاح المشروع يعتمد على الفريق كله.',
  'ليلة البدر كانت مضيئة.',
  'جمال الطبيعة في أبها يجذب السياح.',
  'كن صابراً، النتائج تظهر غداً.',
  'قرار رشيد من الإدارة.',
  'رحمة الله واسعة.',
  'هدى الله الجميع.',
  'الحمد لله على السلامة.',
  // جهات وعلامات تجارية وأدوية وأماكن.
  'وزارة الصحة حدّثت إرشاداتها يوم الثلاثاء.',
  'البنك الأهلي السعودي وبنك الرياض يفرضان رسوماً على التحويلات الدولية.',
  'فرعا الرياض وجدة يغلقان مبكراً في رمضان.',
  'القاهرة جميلة في الشتاء.',
  'بنادول 500 ملغ كل ست ساعات، بحد أقصى أربع جرعات يومياً.',
  'هل يمكن أخذ بروفين مع الوارفارين؟',
  'مايكروسوفت تيمز يتوقف باستمرار على جهازي.',
  'ارفع الملف على جوجل درايف وشارك الرابط.',
  'أرامكو أعلنت نتائج الربع الثالث.',
  'طيران الإمارات أضاف رحلات جديدة إلى أفريقيا.',
  'هيئة الزكاة والضريبة والجمارك مددت المهلة.',
  'مطار دبي الدولي الأكثر ازدحاماً في المنطقة.',
  'نُقل إلى مستشفى الولادة والأطفال مساء أمس.',
  'الدار البيضاء أكبر مدن المغرب.',
  'البحر الأحمر وجهة مفضلة للغوص.',
  'سوق دبي المالي أغلق على ارتفاع.',
  'الهلال الأحمر يطلب متبرعين بالدم.',
  // تواريخ ومبالغ ومواعيد.
  'آخر موعد للتقديم الأحد 14 أكتوبر الساعة الخامسة مساءً.',
  'تم استلام دفعة بقيمة 12,450.00 ريال بتاريخ 2024/11/03.',
  'ارتفعت الإيرادات في الربع الثالث بنسبة 4.2٪.',
  'مواعيد العمل: من الأحد إلى الخميس، من 8 صباحاً حتى 4 عصراً.',
  'المراجعة القادمة: ١٤ رمضان ١٤٤٦هـ.',
  'الإيجار السنوي 45,000 درهم على أربع دفعات.',
];

// ---------------------------------------------------------------------------------------------
// جزء التطوير: قوالب وجمل أخرى، وبذرة أخرى.

const devNameContextTemplates: Array<Template<ArabicValues>> = [
  (values) => [
    'أهلاً ',
    { name: values.first('female') },
    '،\nهل وقّعتِ ملحق العقد؟ أخبريني إذا احتجتِ أي مساعدة.\nتحياتي،\n',
    { name: values.first() },
  ],
  (values) => ['اكتب رسالة شكر إلى ', ...titled(values.titledFull()), ' على رئاسة لجنة أخلاقيات البحث هذا العام.'],
  (values) => [
    'الاسم الكامل: ',
    { name: values.full('male') },
    `\nتاريخ الميلاد: ${values.digits(values.date())}\nأقرب الأقارب: `,
    { name: values.full('female') },
    ' (الزوجة)',
  ],
  (values) => ['مساء الخير، أنا ', { name: values.full() }, ' ولا أعرف عملية شراء ظهرت على بطاقتي.'],
  (values) => [
    'تقرير العيادة\nبخصوص: ',
    { name: values.full('female') },
    '\nحضرت المريضة برفقة زوجها وتشكو من سقوطين خلال الشهر الماضي.',
  ],
  (values) => ['هل صيغة التوقيع هذه مناسبة؟ «مع أطيب التحيات، ', { name: values.full() }, '، مدير العمليات»'],
  (values) => [
    'خرج المريض تحت إشراف الدكتور ',
    { name: values.full('male') },
    '، مع موعد متابعة في عيادة الصدر بعد ستة أسابيع.',
  ],
  (values) => [
    'تصعيد: ',
    ...titled(values.titledLast()),
    ` اتصل أربع مرات منذ يوم ${values.weekday()} ويطلب التحدث إلى المدير.`,
  ],
];

const devNameContextSentences: Array<Piece[] | string> = [
  ['الزميل العزيز الدكتور ', { name: 'عادل الشمري' }, '،\n\nشكراً لاستقبالك المريض في عيادة الذاكرة.'],
  ['مقدم الطلب: ', { name: 'هشام بنعلي' }, '\nنوع التأشيرة: عمل'],
  ['دمتم بخير،\n', { name: 'يزن' }],
  ['ستترأس لجنة المقابلات الأستاذة ', { name: 'سلمى حداد' }, ' بمشاركة الدكتور ', { name: 'ماجد العتيبي' }, '.'],
  ['السلام عليكم انا اسمي ', { name: 'رهف الغامدي' }, ' نسيت كلمة المرور حق التطبيق'],
  ['حُرر في الرياض بتاريخ ٢ مايو ٢٠٢٤.\nالتوقيع: ', { name: 'فهد بن عبدالله السبيعي' }],
];

const devNameBareTemplates: Array<Template<ArabicValues>> = [
  (values) => [{ name: values.full('female') }, ' تطلب نقل إجازتها السنوية إلى الأسبوع الثاني من أغسطس.'],
  (values) => ['هل ينص العقد على أن ', { name: values.full('male') }, ' يمكنه العمل عن بُعد يوم الخميس؟'],
  (values) => [
    'أعد الصياغة للنشرة الداخلية: شارك ',
    { name: values.full('male') },
    ' في نصف الماراثون وجمع 1200 ريال للجمعية الخيرية.',
  ],
  (values) => ['خطأ الرواتب أثّر على ', { name: values.full() }, ' و', { name: values.full() }, ' في مسير شهر مارس.'],
];

const devNameBareSentences: Array<Piece[] | string> = [
  [{ name: 'نايف المطيري' }, ' تغيب عن مناوبتين الأسبوع الماضي دون إشعار.'],
  ['لماذا لم تكن ', { name: 'جود القحطاني' }, ' في نسخة تقرير التدقيق؟'],
  ['أخبرني إذا كان ', { name: 'أنس الحسيني' }, ' ما زال يحتاج صلاحية الوصول إلى المجلد المشترك.'],
  ['على ما يبدو تقدّم ', { name: 'صالح الكعبي' }, ' و', { name: 'لمى خوري' }, ' للوظيفة نفسها.'],
];

const devStreetTemplates: Array<Template<ArabicValues>> = [
  (values) => ['أرسلوا البطاقة الجديدة إلى ', { address: values.address() }, ' وليس إلى الفرع.'],
  (values) => ['عنوان المراسلات\n', { address: values.street() }, '\n', { address: values.cityPostcode() }],
  (values) => [
    'انتقل مستودعنا إلى ',
    { address: values.nationalAddress() },
    '. على السائقين استخدام البوابة الشمالية.',
  ],
  (values) => ['أُرسلت سيارة الإسعاف إلى ', { address: values.street() }, ' بدلاً من دار الرعاية.'],
  (values) => [
    'عزيزتي ',
    ...titled(values.titledFull('female')),
    '، تم تحديث عنوانك إلى ',
    { address: values.address() },
    ' حسب طلبك.',
  ],
  (values) => [{ address: values.address() }, ' — هل يقع هذا العقار في منطقة معرضة للسيول؟'],
];

const devStreetSentences: Array<Piece[] | string> = [
  ['هل توجد صيدلية مناوبة قرب ', { address: '48 شارع التحلية، حي الروضة، جدة 23435' }, '؟'],
  ['تُرك الطرد عند الجار في ', { address: 'شقة 6، 19 شارع الجمهورية' }, '.'],
  ['عنوان السكن: ', { address: '٣٣٠٩ طريق الملك فهد، حي العليا، الرياض ١٢٢١٤ - ٤٥٦٧' }],
  ['بطلع من ', { address: '27 شارع الحمراء' }, ' يوم السبت، كيف ألغي اشتراك الكهرباء؟'],
  ['يشمل عقد الإيجار ', { address: 'وحدة 4، 88 المنطقة الصناعية الثانية، الدمام 32241' }, ' فقط.'],
];

const devPostcodeTemplates: Array<Template<ArabicValues>> = [
  (values) => ['هل يوجد مركز صحي يقبل مراجعين جدداً في ', { address: values.cityPostcode() }, '؟'],
  (values) => ['يرجى تحديث عنواني البريدي إلى ', { address: values.poBox() }, '.'],
  (values) => ['فرعنا الثاني في ', { address: values.cityPostcode() }, ' بجوار المكتبة العامة.'],
];

const devPostcodeSentences: Array<Piece[] | string> = [
  ['الرمز البريدي: ', { address: '32241' }],
  ['أرسلوا المستندات إلى ', { address: 'ص.ب 11543 دبي' }, '، الإمارات العربية المتحدة.'],
  ['هل يمكن التوصيل إلى ', { address: 'الدار البيضاء 20330' }, ' قبل الجمعة؟'],
];

const devNegativeTemplates: Array<Template<ArabicValues>> = [
  (values) => [
    `تصل الرحلة MS ${values.int(100, 999)} القادمة من ${values.pick(destinations)} يوم ${values.weekday()}.`,
  ],
  (values) => [
    `تم فتح البلاغ INC${values.int(100000, 999999)}: الشبكة الافتراضية تنقطع كل ${values.digits(String(values.int(5, 50)))} دقيقة.`,
  ],
  (values) => [
    `غرفة الاجتماعات ${values.digits(String(values.int(1, 9)))}${values.pick(['أ', 'ب'])} في الطابق ${values.digits(String(values.int(1, 12)))} متاحة حتى الظهر.`,
  ],
  (values) => [
    `صرف ${values.pick(medicines)} ${values.digits(values.pick(['10', '20', '40']))} ملغ، ${values.digits(String(values.int(14, 56)))} قرصاً.`,
  ],
  (values) => [
    `تقرير مبيعات ${values.month()} ${values.digits(String(values.int(2020, 2026)))}: الإيرادات ارتفعت ${values.digits(String(values.int(1, 19)))}٪.`,
  ],
  (values) => [
    `رُفع حد البطاقة إلى ${values.digits(String(values.int(1, 20)))} ألف ريال اعتباراً من ${values.digits(String(values.int(1, 28)))} ${values.month()}.`,
  ],
];

const devNegativeSentences: Array<Piece[] | string> = [
  'سعادة المدير،\n\nأود تقديم شكوى بخصوص الخدمة في الفرع.',
  'صباح الخير جميعاً، تجربة إنذار الحريق الساعة 11.',
  'ستتصل بك الممرضة حين تصدر النتائج.',
  'مع التقدير،\nقسم الشكاوى',
  'المريضة مستقرة طوال الليل، لا جديد.',
  'يرجى تحويل هذا إلى القسم المختص.',
  'استشر الصيدلي قبل البدء بالدواء.',
  'تحياتنا،\nالدعم الفني',
  'الطريق أمام الشركة ما زال صعباً.',
  'الديوان الملكي لم يصدر تعليقاً.',
  'سوق الشارع يفتح عند الظهر.',
  'الحي الدبلوماسي هادئ في العطلة.',
  'أوقف سيارتك في الموقف 7 واصعد إلى الطابق 2.',
  'الفيلم 101 كلب مرقش يُعرض الليلة.',
  'ويندوز 10: انتهاء الدعم قريباً',
  '100 يوم لصحة أفضل — مخطط البرنامج',
  'الرحلة MS 985 متأخرة.',
  'رمز الترويج SAVE20 ينتهي الأحد.',
  'القضية رقم 2024/00317 قيد الدراسة.',
  'المنتج 94103-ب عاد إلى المخزون.',
  'هل ستمطر غداً؟',
  'هل يمكننا استخدام بياناتك لأغراض البحث؟',
  'منى كثيرة وأمنيات أكثر في العام الجديد.',
  'أمل وفرح وسلام للجميع.',
  'مساء النور.',
  'كريم جداً منك هذا العرض.',
  'إيمان الفريق بالمشروع كبير.',
  'الهيئة العامة للإحصاء نشرت الأرقام الجديدة.',
  'شركة الاتصالات رفعت أسعار الباقات.',
  'وزارة الداخلية أصدرت بياناً.',
  'فنتولين بخاختان عند الحاجة.',
  'جدة حارة ورطبة في أغسطس.',
  'الرحلة من مطار الدمام وليس من مطار جدة.',
  'إجمالي الفاتورة 3,400.50 ريال تُدفع قبل 31 يناير.',
  'المكتب مغلق يوم الخميس 26 ديسمبر.',
  'الرصيد: 0.00 درهم',
  'نظام المناوبات: من 7:30 إلى 20:00، أربعة أيام عمل وأربعة راحة.',
  'مكتبة الإسكندرية تستقبل الزوار يومياً.',
  'جامعة القاهرة أعلنت مواعيد التسجيل.',
  'تذكير: اجتماع عام في القاعة ب الساعة 2.',
  'شكراً لكم جميعاً على الجهود.',
  'الطريق السريع مغلق للصيانة حتى الفجر.',
  'العميل ينتظر في الاستقبال.',
  'الرجاء عدم إزعاج المرضى بعد العاشرة.',
  'تم تحديث سياسة الخصوصية.',
];

export const arabic: LanguageSource<ArabicValues> = {
  language: 'ar',
  values: arabicValues,
  test: {
    templates: {
      'name.context': testNameContextTemplates,
      'name.bare': testNameBareTemplates,
      'address.street': testStreetTemplates,
      'address.postcode': testPostcodeTemplates,
      negative: testNegativeTemplates,
    },
    sentences: {
      'name.context': testNameContextSentences,
      'name.bare': testNameBareSentences,
      'address.street': testStreetSentences,
      'address.postcode': testPostcodeSentences,
      negative: testNegativeSentences,
    },
  },
  dev: {
    templates: {
      'name.context': devNameContextTemplates,
      'name.bare': devNameBareTemplates,
      'address.street': devStreetTemplates,
      'address.postcode': devPostcodeTemplates,
      negative: devNegativeTemplates,
    },
    sentences: {
      'name.context': devNameContextSentences,
      'name.bare': devNameBareSentences,
      'address.street': devStreetSentences,
      'address.postcode': devPostcodeSentences,
      negative: devNegativeSentences,
    },
  },
};
