// Honorifics, titles and name particles in English, French and Arabic, for the pii.name detector:
// the words written before a name (left out of its span) and the small words inside one.
// Source: written by hand for this project from general knowledge of the three languages; no list
// was copied. Apache-2.0 with the project. Latin words match case-insensitively (honorifics must
// still be capitalised in the text); Arabic words match after folding (أ إ آ → ا, no diacritics).

/** Honorifics and titles written before a name; the name span leaves them out. */
export const latinHonorifics: readonly string[] = [
  'Mr', 'Mrs', 'Ms', 'Mx', 'Miss', 'Mister', 'Dr', 'Doctor', 'Prof', 'Professor', 'Sir', 'Dame',
  'Rev', 'Revd', 'Reverend', 'Capt', 'Lt', 'Sgt', 'Cmdr', 'Hon', 'Messrs',
  'M', 'MM', 'Mme', 'Mmes', 'Mlle', 'Mlles', 'Me', 'Maître', 'Maitre', 'Monsieur', 'Madame',
  'Mademoiselle', 'Docteur', 'Professeur', 'Pr', 'Mgr', 'Monseigneur',
  'Sheikh', 'Shaikh', 'Sheikha', 'Imam', 'Rabbi', 'Pastor', 'Madam',
];

/** Honorifics that need the dot after them to be one ("M." is Monsieur, "M" alone is a letter). */
export const honorificsNeedingDot: readonly string[] = ['M', 'MM'];

/** Titles that vouch less: "King Charles", "President Emmanuel Macron", but not "General Motors". */
export const latinTitles: readonly string[] = [
  'King', 'Queen', 'Prince', 'Princess', 'Duke', 'Duchess', 'Lord', 'Lady', 'Baron', 'Baroness',
  'Count', 'Countess', 'Emperor', 'Empress', 'Pope', 'Father', 'Sister', 'Brother', 'Judge',
  'Justice', 'Senator', 'Governor', 'President', 'Mayor', 'Minister', 'Inspector', 'Detective',
  'Officer', 'Agent', 'Nurse', 'Coach', 'Captain', 'Colonel', 'General', 'Sergeant', 'Lieutenant',
  'Commander', 'Admiral', 'Major', 'Chancellor', 'Ambassador', 'Councillor', 'Councilor',
  'Président', 'Présidente', 'Ministre', 'Maire', 'Général', 'Capitaine', 'Commandant',
  'Lieutenant', 'Sergent', 'Inspecteur', 'Inspectrice', 'Commissaire', 'Juge', 'Abbé', 'Père',
  'Sœur', 'Soeur', 'Frère', 'Cardinal', 'Roi', 'Reine', 'Prince', 'Princesse', 'Emir', 'Amir',
  'Sultan', 'Sayyid',
];

/** Arabic honorifics and titles; a leading و ب ف ك (and لل for ال) is accepted too. */
export const arabicHonorifics: readonly string[] = [
  'السيد', 'السيدة', 'الآنسة', 'الدكتور', 'الدكتورة', 'الأستاذ', 'الأستاذة', 'الشيخ', 'الشيخة',
  'المهندس', 'المهندسة', 'الحاج', 'الحاجة', 'المحامي', 'المحامية', 'الأمير', 'الأميرة', 'سمو',
  'معالي', 'سعادة', 'فضيلة', 'الطبيب', 'الطبيبة', 'البروفيسور', 'البروفيسورة', 'الكابتن', 'اللواء',
  'العميد', 'العقيد', 'المقدم', 'النقيب', 'الملازم', 'الشريف', 'الإمام', 'القاضي', 'القاضية',
  'المستشار', 'المستشارة', 'السفير', 'السفيرة', 'الأب', 'الأخت', 'الأخ', 'الممرض', 'الممرضة',
  'الصيدلي', 'الصيدلانية', 'المدير', 'المديرة', 'المعلم', 'المعلمة', 'الزميل', 'الزميلة', 'سيدي',
  'سيدتي', 'الرئيس', 'الوزير', 'الوزيرة', 'الملك', 'الملكة', 'السلطان',
  // The vocative forms, without the article, used when addressing someone: "أستاذ سامر"، "يا دكتور هاني".
  'أستاذ', 'أستاذة', 'دكتور', 'دكتورة', 'شيخ', 'شيخة', 'حاج', 'حاجة', 'مهندس', 'مهندسة',
];

/** Of those, the ones that are also plain nouns ("the minister", "the teacher"): they vouch less. */
export const arabicWeakHonorifics: readonly string[] = [
  'الأب', 'الأخت', 'الأخ', 'الممرض', 'الممرضة', 'الصيدلي', 'الصيدلانية', 'المدير', 'المديرة',
  'المعلم', 'المعلمة', 'الزميل', 'الزميلة', 'سيدي', 'سيدتي', 'الرئيس', 'الوزير', 'الوزيرة',
  'الملك', 'الملكة', 'السلطان', 'القاضي', 'القاضية', 'المستشار', 'المستشارة', 'السفير', 'السفيرة',
  'الطبيب', 'الطبيبة', 'الإمام', 'الشريف',
  // Without the article they are common nouns too ("أستاذ في الجامعة"): a listed given name must follow.
  'أستاذ', 'أستاذة', 'دكتور', 'دكتورة', 'شيخ', 'شيخة', 'حاج', 'حاجة', 'مهندس', 'مهندسة',
];

/** Abbreviated Arabic honorifics, written with a dot or a slash: "د. سارة", "م/ خالد". */
export const arabicAbbreviatedHonorifics: readonly string[] = ['د', 'م', 'أ'];

/** Lower-case particles inside or before a family name: "Charles de Gaulle", "Khalid bin Salman". */
export const latinNameParticles: readonly string[] = [
  'de', 'du', 'des', 'la', 'le', "d'", 'van', 'von', 'der', 'den', 'ter', 'ten', 'da', 'di', 'del',
  'della', 'dos', 'das', 'do', 'zu', 'af', 'al', 'el', 'bin', 'ibn', 'bint', 'ben', 'abu', 'abou',
  'ould', 'y',
];

/** Capitalised particles that start a family name only when a name word follows: "Le Pen", "Al Saud". */
export const latinCapitalParticles: readonly string[] = [
  'De', 'Du', 'Des', 'La', 'Le', 'Van', 'Von', 'Der', 'Den', 'Da', 'Di', 'Del', 'Della', 'Dos',
  'Al', 'El', 'Bin', 'Ibn', 'Bint', 'Ben', 'Abu', 'Abou', 'Mac', 'Mc', 'Ould',
];

/** Arabic titles that sit inside street and institution names: "طريق الملك عبدالعزيز". */
export const arabicInnerTitles: readonly string[] = [
  'الملك', 'الأمير', 'الإمام', 'الشيخ', 'الملكة', 'الأميرة', 'السلطان', 'الخليفة', 'الرئيس',
  'الشهيد', 'الدكتور', 'سمو', 'خادم', 'الحرمين', 'الشريفين',
];

/** Particles of Arabic names: بن بنت ابن أبو أبي أم آل, and عبد before an ال-word. */
export const arabicNameParticles: readonly string[] = ['بن', 'بنت', 'ابن', 'أبو', 'أبي', 'أم', 'آل', 'ابو', 'ال'];

/** Honorifics also written in lower case in running text: "le docteur Martin", "j'ai vu madame Dupont". */
export const lowerCaseHonorifics: readonly string[] = ['monsieur', 'madame', 'mademoiselle', 'docteur', 'professeur', 'maître', 'doctor', 'professor'];
