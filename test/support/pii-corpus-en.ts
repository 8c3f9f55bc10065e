// English part of the name and address corpus: a seeded source of values, then the templates,
// hand-written sentences and hard negatives of the test part and, separately, of the dev part.
// Conventions and construction are documented in pii-corpus.ts.
import { Faker, base, en, en_GB, en_US } from '@faker-js/faker';
import type { LanguageSource, Piece, Template } from './pii-corpus.js';

export interface EnglishValues {
  /** A given name. */
  first(): string;
  /** A family name, sometimes double-barrelled or with a particle. */
  last(): string;
  /** Given and family name, sometimes with a middle initial or a hyphenated given name. */
  full(): string;
  /** A title (Mr, Mrs, Ms, Miss, Dr, Prof, with or without a full stop) agreeing with a full name. */
  titledFull(): [title: string, name: string];
  /** A title and a family name. */
  titledLast(): [title: string, name: string];
  /** A UK or US street line. */
  street(): string;
  /** '14 Queen's Road', 'Flat 2, 14 Queen's Road'. */
  ukStreet(): string;
  /** '2945 Marvin Alley', '1200 N Main St, Suite 300'. */
  usStreet(): string;
  /** A US address on one line: street, city, state and ZIP code. */
  usAddress(): string;
  /** A UK address on one line: street, town and postcode. */
  ukAddress(): string;
  /** 'Austin, TX 78701'. */
  usCityZip(): string;
  /** 'Leeds LS6 3HN'. */
  ukTownPostcode(): string;
  /** 'LS6 3HN'. */
  ukPostcode(): string;
  /** '78701' or '78701-4410'. */
  zip(): string;
  /** 'P.O. Box 1234', 'PO Box 77'. */
  poBox(): string;
  weekday(): string;
  month(): string;
  /** A date as a form would have it: '12/03/1961' or '3 March 1961'. */
  date(): string;
  /** '10:30', '2.15pm'. */
  time(): string;
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(probability: number): boolean;
}

// Written for this corpus, to widen faker's mostly Anglo-American lists.
const givenNames = {
  female: [
    'Aisha',
    'Priya',
    'Siobhan',
    'Mei',
    'Niamh',
    'Fatima',
    'Ananya',
    'Ingrid',
    'Hana',
    'Zara',
    'Aoife',
    'Layla',
    'Bronwen',
    'Thandiwe',
    'Giulia',
    'Noor',
    'Eilidh',
    'Mary-Kate',
    'Anne-Marie',
    'Sarah-Jane',
  ],
  male: [
    'Mohammed',
    'Chinedu',
    'Oluwaseun',
    'Rhys',
    'Tomasz',
    'Omar',
    'Yusuf',
    'Kwame',
    'Mateo',
    'Declan',
    'Hamza',
    'Ravi',
    'Sven',
    'Jean-Paul',
    'Abdul-Karim',
    'Tiago',
    'Dafydd',
    'Arjun',
    'Kofi',
    'Lachlan',
  ],
};
const familyNames = [
  "O'Connor",
  'Hart-Davis',
  'Okafor',
  'Nowak',
  'al-Rashid',
  'Al-Farsi',
  'van der Berg',
  'de Souza',
  'McAllister',
  'Fitzgerald-Hughes',
  'Nguyen',
  'Patel',
  'Haddad',
  'bin Khalid',
  'Chaudhry',
  'Kowalczyk',
  "D'Souza",
  'Singh',
  'Adeyemi',
  'Lindqvist',
  'Abu-Zeid',
  'El-Amin',
  'Ferreira',
  'Ó Súilleabháin',
  'Mensah-Boateng',
  'Rahman',
  'Van Dijk',
  'Le Roux',
  'Mac Giolla',
  'Dos Santos',
];
const ukStreets = [
  "Queen's Road",
  'High Street',
  'Church Lane',
  'Station Road',
  'Elm Avenue',
  'Park Drive',
  'King Street',
  'Mill Lane',
  'Oak Crescent',
  'Harbour Way',
  'Chapel Row',
  "St John's Close",
  'Victoria Terrace',
  'Westgate',
  'Meadow View',
  'The Green',
];
const usStreets = [
  'W 5th Street',
  'Main St',
  'Maple Ave',
  'N Lincoln Blvd',
  'Cedar Court',
  'SE Division St',
  'Sunset Boulevard',
  'Pine Ridge Road',
  'E 42nd St',
  'Lakeshore Drive',
  'Willow Lane',
  'Route 9',
];
// Real towns with one of their real outward codes.
const ukTowns: ReadonlyArray<readonly [string, string]> = [
  ['London', 'SW1A'],
  ['London', 'E1'],
  ['London', 'N7'],
  ['Manchester', 'M14'],
  ['Leeds', 'LS6'],
  ['Birmingham', 'B15'],
  ['Bristol', 'BS8'],
  ['Cardiff', 'CF10'],
  ['Edinburgh', 'EH8'],
  ['Glasgow', 'G12'],
  ['Oxford', 'OX4'],
  ['Cambridge', 'CB2'],
  ['York', 'YO10'],
  ['Brighton', 'BN1'],
  ['Norwich', 'NR2'],
  ['Sheffield', 'S10'],
  ['Nottingham', 'NG7'],
  ['Liverpool', 'L8'],
  ['Newcastle upon Tyne', 'NE1'],
  ['Belfast', 'BT7'],
  ['Swansea', 'SA1'],
  ['Aberdeen', 'AB24'],
];
// Real cities with one of their real ZIP codes.
const usCities: ReadonlyArray<readonly [string, string, string]> = [
  ['Austin', 'TX', '78701'],
  ['Boston', 'MA', '02118'],
  ['Seattle', 'WA', '98109'],
  ['Denver', 'CO', '80205'],
  ['Chicago', 'IL', '60614'],
  ['Portland', 'OR', '97214'],
  ['Atlanta', 'GA', '30309'],
  ['Phoenix', 'AZ', '85004'],
  ['Columbus', 'OH', '43215'],
  ['Nashville', 'TN', '37203'],
  ['San Diego', 'CA', '92101'],
  ['Madison', 'WI', '53703'],
  ['Raleigh', 'NC', '27601'],
  ['Minneapolis', 'MN', '55401'],
  ['Albuquerque', 'NM', '87102'],
  ['Richmond', 'VA', '23220'],
  ['Dearborn', 'MI', '48126'],
  ['Paterson', 'NJ', '07501'],
];
// The letters a UK inward code may use (Royal Mail PAF: never C I K M O V).
const inwardLetters = 'ABDEFGHJLNPQRSTUWXYZ';
const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const months = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export function englishValues(seed: number): EnglishValues {
  const us = new Faker({ locale: [en_US, en, base] });
  const uk = new Faker({ locale: [en_GB, en, base] });
  us.seed(seed);
  uk.seed(seed + 1);
  const pick = <T>(list: readonly T[]): T => us.helpers.arrayElement(list);
  const int = (min: number, max: number): number => us.number.int({ min, max });
  const chance = (probability: number): boolean => us.datatype.boolean(probability);
  const firstOf = (sex: 'female' | 'male'): string =>
    chance(0.3) ? pick(givenNames[sex]) : chance(0.5) ? us.person.firstName(sex) : uk.person.firstName(sex);
  const first = (): string => firstOf(chance(0.5) ? 'female' : 'male');
  const last = (): string =>
    chance(0.35) ? pick(familyNames) : chance(0.5) ? us.person.lastName() : uk.person.lastName();
  const ukPostcode = (): string => {
    const [, outward] = pick(ukTowns);
    return `${outward} ${int(1, 9)}${pick([...inwardLetters])}${pick([...inwardLetters])}`;
  };
  const ukTownPostcode = (): string => {
    const [town, outward] = pick(ukTowns);
    return `${town} ${outward} ${int(1, 9)}${pick([...inwardLetters])}${pick([...inwardLetters])}`;
  };
  const usCityZip = (): string => {
    if (chance(0.6)) {
      const [city, state, zip] = pick(usCities);
      return `${city}, ${state} ${zip}${chance(0.2) ? `-${int(1000, 9999)}` : ''}`;
    }
    const state = us.location.state({ abbreviated: true });
    return `${us.location.city()}, ${state} ${us.location.zipCode({ state })}`;
  };
  const ukStreet = (): string => {
    const street = `${int(1, 180)}${chance(0.1) ? pick(['A', 'B']) : ''} ${chance(0.5) ? pick(ukStreets) : uk.location.street()}`;
    return chance(0.25) ? `${pick(['Flat', 'Flat', 'Apartment', 'Unit'])} ${int(1, 24)}, ${street}` : street;
  };
  const usStreet = (): string => {
    const street = `${int(10, 9899)} ${chance(0.4) ? pick(usStreets) : us.location.street()}`;
    return chance(0.25)
      ? `${street}, ${pick(['Apt', 'Apt.', 'Suite', 'Unit'])} ${int(1, 40)}${chance(0.3) ? pick(['A', 'B', 'C']) : ''}`
      : street;
  };
  const fullOf = (sex: 'female' | 'male'): string => {
    const roll = int(1, 10);
    if (roll === 1) return `${firstOf(sex)} ${us.string.alpha({ length: 1, casing: 'upper' })}. ${last()}`;
    if (roll === 2 && sex === 'male')
      return `${pick(['Omar', 'Khalid', 'Yousef', 'Abdullah', 'Faisal', 'Nasser'])} bin ${pick(['Saeed', 'Hamad', 'Rashid', 'Sultan'])} Al-${pick(['Mansouri', 'Qahtani', 'Harbi', 'Shamsi', 'Otaibi'])}`;
    if (roll === 2)
      return `${pick(['Maryam', 'Noura', 'Huda', 'Reem'])} ${pick(['Al-Mansouri', 'Al-Qahtani', 'Al-Harbi', 'Al-Shamsi'])}`;
    return `${firstOf(sex)} ${last()}`;
  };
  const titleOf = (sex: 'female' | 'male'): string =>
    pick(sex === 'male' ? ['Mr', 'Mr', 'Mr.', 'Dr', 'Dr.', 'Prof'] : ['Mrs', 'Ms', 'Miss', 'Mrs.', 'Dr', 'Prof']);
  return {
    first,
    last,
    full: () => fullOf(chance(0.5) ? 'female' : 'male'),
    titledFull: () => {
      const sex = chance(0.5) ? 'female' : 'male';
      return [titleOf(sex), fullOf(sex)];
    },
    titledLast: () => [titleOf(chance(0.5) ? 'female' : 'male'), last()],
    street: () => (chance(0.55) ? ukStreet() : usStreet()),
    ukStreet,
    usStreet,
    usAddress: () => `${usStreet()}, ${usCityZip()}`,
    ukAddress: () => `${ukStreet()}, ${ukTownPostcode()}`,
    usCityZip,
    ukTownPostcode,
    ukPostcode,
    zip: () => `${pick(usCities)[2]}${chance(0.25) ? `-${int(1000, 9999)}` : ''}`,
    poBox: () => `${pick(['P.O. Box', 'PO Box', 'P.O. Box', 'Post Office Box'])} ${int(10, 9999)}`,
    weekday: () => pick(weekdays),
    month: () => pick(months),
    date: () =>
      chance(0.5)
        ? `${String(int(1, 28)).padStart(2, '0')}/${String(int(1, 12)).padStart(2, '0')}/${int(1931, 2006)}`
        : `${int(1, 28)} ${pick(months)} ${int(1931, 2006)}`,
    time: () =>
      chance(0.5)
        ? `${int(8, 17)}:${pick(['00', '15', '30', '45'])}`
        : `${int(1, 11)}.${pick(['00', '15', '30', '45'])}${pick(['am', 'pm'])}`,
    int,
    pick,
    chance,
  };
}

const titled = ([title, name]: [string, string]): Piece[] => [`${title} `, { name }];

// ---------------------------------------------------------------------------------------------
// Test part: names.

const testNameContextTemplates: Array<Template<EnglishValues>> = [
  (values) => [
    'Dear ',
    { name: values.first() },
    `,\n\nThanks for sending the discharge summary over. Could you also forward the latest bloods before ${values.weekday()}?\n\nBest,\n`,
    { name: values.first() },
  ],
  (values) => [
    'Summarise this referral letter for me: "I would be grateful if you could see ',
    ...titled(values.titledFull()),
    ', a 58-year-old retired teacher with worsening exertional chest pain over the last three weeks."',
  ],
  (values) => [
    'Patient: ',
    { name: values.full() },
    `\nDOB: ${values.date()}\nWard: ${values.int(1, 12)}B\nPresenting complaint: shortness of breath, productive cough.`,
  ],
  (values) => [
    'Hi, my name is ',
    { name: values.full() },
    " and I'm writing about a direct debit that was taken twice from my current account this month.",
  ],
  (values) => [
    'Can you draft a polite reply to ',
    ...titled(values.titledLast()),
    ` declining the meeting on ${values.weekday()}? Keep it under 100 words.`,
  ],
  (values) => [
    'Meeting notes – procurement review\nAttendees: ',
    { name: values.full() },
    ' (chair), ',
    { name: values.full() },
    ', ',
    { name: values.full() },
    '\nApologies: ',
    { name: values.full() },
  ],
  (values) => [
    'Seen today by Dr ',
    { name: values.last() },
    ' in the fracture clinic. X-ray shows a healing distal radius fracture; cast to stay on for two more weeks.',
  ],
  (values) => [
    'Please update the HR file: employee ',
    { name: values.full() },
    ` returns from parental leave on ${values.int(1, 28)} ${values.month()} and will work four days a week.`,
  ],
  (values) => [
    `Thank you for your patience while we reviewed the claim. A cheque will follow within ten working days.\n\nKind regards,\n`,
    { name: values.full() },
    '\nSenior Claims Handler',
  ],
  (values) => [
    'Translate into French: "Prof. ',
    { name: values.full() },
    ' will give the opening lecture at 9:30 in the main auditorium."',
  ],
  (values) => ['Name: ', { name: values.full() }, '\nPosition applied for: Data Analyst\nNotice period: one month'],
  (values) => [
    "I'm ",
    { name: values.first() },
    ', the practice manager — could you help me word a notice about the new opening hours?',
  ],
  (values) => [
    'Signed: ',
    { name: values.full() },
    `    Date: ${values.date()}\nWitnessed by: `,
    { name: values.full() },
  ],
  (values) => [
    'Complaint received from ',
    ...titled(values.titledFull()),
    ` regarding a two-hour wait in A&E on ${values.weekday()} night. A written response has been requested.`,
  ],
  (values) => [
    'Hey ',
    { name: values.first() },
    "! Just checking you got the rota for next week — you're on lates Tuesday and Wednesday. Cheers, ",
    { name: values.first() },
  ],
  (values) => [
    'What should I tell Mrs ',
    { name: values.last() },
    "'s daughter about visiting hours on the stroke unit?",
  ],
];

const testNameContextSentences: Array<Piece[] | string> = [
  [
    'Ms ',
    { name: 'Aoife Brennan' },
    ' was reviewed in clinic today; she reports good symptom control on the current dose.',
  ],
  ['From: ', { name: 'Rajesh Iyer' }, '\nTo: Accounts Payable\nSubject: Invoice 4471 – query on VAT'],
  ['my name is ', { name: "kevin o'driscoll" }, ' and i want to close my savings account, what do i need to bring'],
  [
    'Dr. ',
    { name: 'Nkechi Obi-Williams' },
    ', Consultant Rheumatologist, has agreed to take over the Thursday clinic from next month.',
  ],
  [
    'Could you check the grammar here: "Mr ',
    { name: 'Ó Súilleabháin' },
    ' was informed of the outcome by letter and has thirty days to appeal."',
  ],
  ['Referred by: Dr ', { name: 'Samuel Achterberg' }, ' (GP)\nReason for referral: suspected obstructive sleep apnoea'],
  ['Thanks so much, ', { name: 'Bartholomew' }, ' — that fixed the spreadsheet.'],
  ['NAME: ', { name: 'WHITTAKER, JOANNE' }, '\nMRN: 00418822\nALLERGIES: penicillin (rash)'],
  ['Good morning Mr ', { name: 'Delacroix' }, ', your appointment has been moved to 2:15pm on the same day.'],
  ['The claimant, Mrs ', { name: 'Bernadette Ng' }, ', states that the parcel was left outside in the rain.'],
  ['Please address the certificate to Prof ', { name: 'Yusuf Al-Hakim' }, ' rather than to the department.'],
  [
    'Handover: bed 12, Mr ',
    { name: 'Pieter van der Merwe' },
    ', 81, post-op day 2, mobilising with a frame, pain controlled.',
  ],
  [
    'Hello, this is ',
    { name: 'Chidinma' },
    ' from the payroll team — I need a formula that pulls overtime hours from the second tab.',
  ],
  ['Pt ', { name: 'L. Castellano' }, ' advised to return if the fever persists beyond 48h.'],
  ['Surname: ', { name: 'Mbeki-Hartley' }, '\nGiven names: ', { name: 'Ruth Adaeze' }, '\nNationality: British'],
];

const testNameBareTemplates: Array<Template<EnglishValues>> = [
  (values) => [
    { name: values.full() },
    ' called again about the late delivery and wants a refund by the end of the week.',
  ],
  (values) => [
    'Can you rewrite this more formally: ',
    { name: values.full() },
    ' and ',
    { name: values.full() },
    ' will lead the audit, with support from the finance team.',
  ],
  (values) => ['The minutes say ', { name: values.full() }, ' voted against the proposal, is that right?'],
  (values) => [
    'Summarise: ',
    { name: values.full() },
    ' joined the bank in 2015, moved to compliance in 2019 and now manages the sanctions screening team.',
  ],
  (values) => ['Who should approve the expense claim submitted by ', { name: values.full() }, '?'],
  (values) => [
    'Congratulations to ',
    { name: values.full() },
    ', ',
    { name: values.full() },
    ' and ',
    { name: values.full() },
    ' on passing their nursing exams!',
  ],
  (values) => [
    'I spoke to ',
    { name: values.full() },
    ' at the branch this morning; apparently the card was blocked by the fraud system.',
  ],
  (values) => ['Flight delayed again, so ', { name: values.full() }, ' is picking up the kids instead.'],
];

const testNameBareSentences: Array<Piece[] | string> = [
  [
    { name: 'Helen Marchetti' },
    ' has worked in the housing team for six years and I would recommend her without reservation.',
  ],
  [{ name: 'Mei-Ling Zhao-Fairbanks' }, ' and ', { name: 'Tom Ashworth' }, ' are sharing the on-call this weekend.'],
  ['Why did ', { name: 'Omar Al-Farsi' }, ' get a different tax code from everyone else in his team?'],
  [
    'The report was drafted by ',
    { name: 'Ingrid Solberg' },
    ', reviewed by ',
    { name: 'Kwame Asante-Boateng' },
    ' and approved last Tuesday.',
  ],
  [
    'We need a message for the leaving card of ',
    { name: 'Siobhan Kerrigan' },
    ", who is retiring after 30 years on the children's ward.",
  ],
  ['Apparently ', { name: 'Dmitri Vasquez-Lindholm' }, ' has been overpaid since April.'],
  [
    'Team A: ',
    { name: 'Amara Nwosu' },
    ', ',
    { name: 'Felix Brandt' },
    ', ',
    { name: 'Harriet Okoye-Lamb' },
    '. Team B: everyone else on the floor.',
  ],
  ['Is it normal that ', { name: 'Lucía Fernández Ortega' }, ' was charged twice for the same prescription?'],
];

// ---------------------------------------------------------------------------------------------
// Test part: addresses.

const testStreetTemplates: Array<Template<EnglishValues>> = [
  (values) => [
    'Please deliver to ',
    { address: values.usAddress() },
    ' and leave the parcel with the concierge if nobody answers.',
  ],
  (values) => [
    'Dear ',
    ...titled(values.titledLast()),
    ',\n\nWe are writing to confirm your new correspondence address: ',
    { address: values.ukAddress() },
    '.\n\nYours sincerely,\nCustomer Services',
  ],
  (values) => [
    'Address: ',
    { address: values.ukStreet() },
    '\n',
    { address: values.ukTownPostcode() },
    '\nContact preference: letter',
  ],
  (values) => ['I moved to ', { address: values.street() }, ' last month but my statements still go to the old flat.'],
  (values) => [
    `Home visit booked for ${values.weekday()} at `,
    { address: values.usAddress() },
    '; the patient is housebound and the key safe code is with the district nurses.',
  ],
  (values) => [
    { address: values.street() },
    ` – the boiler has been leaking since ${values.weekday()} and the landlord is not answering.`,
  ],
  (values) => [
    'Ship two boxes of nitrile gloves (size M) to our clinic at ',
    { address: values.ukAddress() },
    ', attention: Ward Manager.',
  ],
  (values) => [
    'Can you turn this into a formal letter header?\n',
    { name: values.full() },
    '\n',
    { address: values.ukStreet() },
    '\n',
    { address: values.ukTownPostcode() },
  ],
  (values) => [
    'Previous addresses (last 3 years): ',
    { address: values.usAddress() },
    '; ',
    { address: values.usAddress() },
  ],
  (values) => [
    'The collision happened outside ',
    { address: values.street() },
    ` at about ${values.time()}, according to the witness statement.`,
  ],
  (values) => [
    'Registered office: ',
    { address: values.ukAddress() },
    `. Company number ${values.int(1000000, 9999999)}.`,
  ],
  (values) => [
    'Return the signed form to HR, ',
    { address: values.street() },
    `, by ${values.weekday()} the ${values.pick(['3rd', '14th', '21st', '30th'])}.`,
  ],
];

const testStreetSentences: Array<Piece[] | string> = [
  [{ address: 'Flat 3B, 27 Albion Terrace, Bristol BS8 4LP' }, ' is where the spare keys should be sent.'],
  ['Could you check whether ', { address: '1420 NW Glisan St, Portland, OR 97209' }, ' is inside the delivery zone?'],
  ['new address is ', { address: '9 kestrel close, didcot ox11 7bh' }, ' — pls update'],
  [
    'The tenancy at ',
    { address: '52A Wandsworth Bridge Road' },
    ' ends in June and the deposit is still held by the agent.',
  ],
  ['Deliver to: ', { address: 'Unit 12, 3 Harbour Way, Cardiff CF10 4PA' }, ' (loading bay at the rear)'],
  ['She was found at home (', { address: '118 Orchard Street' }, ') by her neighbour, who called 999.'],
  ['Write a complaint to the council about the potholes in front of ', { address: '7 Mill Lane, Harrogate' }, '.'],
  ['Our new office is at ', { address: '1780 Dorchester Avenue, Suite 210, Boston, MA 02124' }, '.'],
  ['Billing address:\n', { address: '221 Larkspur Drive' }, '\n', { address: 'Naperville, IL 60540' }],
  ['I live at ', { address: "16 St Mary's Road" }, " and the bins haven't been collected for three weeks."],
];

const testPostcodeTemplates: Array<Template<EnglishValues>> = [
  (values) => ['Is ', { address: values.ukPostcode() }, ' covered by your same-day delivery?'],
  (values) => ['The patient lives alone in ', { address: values.ukTownPostcode() }, ' and has no carers at present.'],
  (values) => [
    'Our mailing address is ',
    { address: `${values.poBox()}, ${values.usCityZip()}` },
    '; please do not send cheques to the branch.',
  ],
  (values) => ['ZIP code: ', { address: values.zip() }, '\nCountry: United States\nPreferred language: Spanish'],
  (values) => ["We're relocating the warehouse to ", { address: values.usCityZip() }, ' in the spring.'],
  (values) => [
    'Postcode ',
    { address: values.ukPostcode() },
    " — is that within the hospital's catchment for community physio?",
  ],
];

const testPostcodeSentences: Array<Piece[] | string> = [
  ['Please send all correspondence to ', { address: 'PO Box 4417, Jeddah 21491' }, ', Saudi Arabia.'],
  ['My postcode is ', { address: 'EH8 9YL' }, " but the app says it's invalid."],
  ['The head office moved from Austin to ', { address: 'Seattle, WA 98109' }, ' last year.'],
  ['Cheques should be made payable to the trust and posted to ', { address: 'P.O. Box 2250' }, '.'],
  ["I'm in ", { address: 'Riyadh 12629-7890' }, ' — can the courier find me with just that?'],
  ['Coverage check for zip ', { address: '30309' }, ' please, we are opening a second clinic there.'],
];

// ---------------------------------------------------------------------------------------------
// Test part: hard negatives (no personal name, no postal address).

const films = [
  '12 Angry Men',
  'Apollo 13',
  'District 9',
  'Toy Story 2',
  'Blade Runner',
  'The Seventh Seal',
  '28 Days Later',
];
const medicines = ['Metformin', 'Amoxicillin', 'Omeprazole', 'Sertraline', 'Atorvastatin', 'Ibuprofen', 'Lisinopril'];
const departures = ['Riyadh', 'Dubai', 'Paris', 'Jeddah', 'Casablanca', 'New York JFK', 'Manchester'];

const testNegativeTemplates: Array<Template<EnglishValues>> = [
  (values) => [
    `Your flight BA ${values.int(100, 999)} to ${values.pick(departures)} departs from Terminal ${values.int(2, 5)}, gate ${values.pick(['A', 'B', 'C'])}${values.int(1, 40)}.`,
  ],
  (values) => [
    `Invoice ${values.int(10000, 99999)} for £${values.int(100, 9999)}.${values.int(10, 99)} is due on ${values.int(1, 28)} ${values.month()}.`,
  ],
  (values) => [
    `Room ${values.int(1, 40)}, Building ${values.pick(['A', 'B', 'C', 'D'])} has been booked for the ${values.int(2019, 2026)} Budget Review.`,
  ],
  (values) => [
    `Take ${values.pick(medicines)} ${values.pick(['250', '500', '5', '10', '20'])} mg ${values.pick(['once', 'twice', 'three times'])} daily with food, starting ${values.weekday()}.`,
  ],
  (values) => [
    `Order #${values.int(100000, 999999)}: ${values.int(2, 12)} x Nitrile Gloves SKU ${values.int(10000, 99999)}-${values.pick(['B', 'M', 'XL'])}, dispatched ${values.weekday()}.`,
  ],
  (values) => [
    `The ${values.weekday()} stand-up has moved to ${values.time()}; agenda: Q${values.int(1, 4)} targets and the ${values.pick(['Azure', 'AWS', 'Oracle'])} migration.`,
  ],
  (values) => [
    `Ref: ${values.pick(['HR', 'FOI', 'CMP', 'LEG'])}-${values.int(1000, 99999)}/${values.int(2019, 2026)}. Please quote this number in all correspondence.`,
  ],
  (values) => [
    `Bed ${values.int(1, 30)} on Ward ${values.int(1, 12)}${values.pick(['A', 'B', 'C'])} is free from ${values.time()}.`,
  ],
  (values) => [
    `Transfer of ${values.int(1000, 90000)} Euros to ${values.pick(['Deutsche Bank', 'Bank of America', 'HSBC', 'Santander', 'BNP Paribas'])} scheduled for ${values.weekday()} ${values.int(1, 28)} ${values.month()}.`,
  ],
  (values) => [
    `Platform ${values.int(1, 16)}: the ${values.time()} service to ${values.pick(['London Victoria', 'Manchester Piccadilly', 'Edinburgh Waverley', 'Bristol Temple Meads', 'Leeds'])} is delayed by ${values.int(5, 55)} minutes.`,
  ],
  (values) => [
    `Film club tonight: ${values.pick(films)}, Room ${values.int(1, 20)} at ${values.time()}. Bring snacks.`,
  ],
  (values) => [
    `Obs: temp ${values.int(36, 39)}.${values.int(0, 9)}°C, BP ${values.int(100, 160)}/${values.int(60, 95)}, HR ${values.int(55, 110)}, sats ${values.int(90, 99)}% on room air.`,
  ],
];

const testNegativeSentences: Array<Piece[] | string> = [
  // Titles, roles and salutations without a name.
  'Dear Sir or Madam,\n\nI am writing to request copies of my account statements for the last tax year.',
  'The doctor will see you now.',
  'Dear Customer, your statement is ready to view online.',
  'To whom it may concern: the bearer of this letter is authorised to collect the documents.',
  'Ask the patient to remove any jewellery before the scan.',
  'The consultant on call has been informed and will review after the ward round.',
  'Dear Hiring Manager,\n\nPlease find attached my CV and cover letter.',
  'Hi team, quick reminder that timesheets are due by noon on Friday.',
  'Kind regards,\nThe Accounts Team',
  'Best wishes,\nCustomer Support',
  'Should I put a full stop after Mr and Mrs in British English?',
  'My name is not important, I just want to know how to dispute a charge.',
  'Signed on behalf of the Board of Directors.',
  'Patient is a 64-year-old man with a history of type 2 diabetes and hypertension.',
  'The Minister will answer questions in the House on Wednesday.',
  'Write a LinkedIn post announcing our new Head of Data.',
  'Hello there! Can you help me write a cover letter?',
  // Street words in prose.
  'She is well on the road to recovery after the surgery.',
  'The Wall Street Journal ran a piece on bond yields this morning.',
  'We are at a crossroads with this project and need a decision.',
  'Take the second exit at the roundabout, then follow the signs for the A40.',
  "It's a one-way street: we send feedback and never hear back.",
  'That avenue of research turned out to be a dead end.',
  'Main Street investors are worried about inflation.',
  'Road closures are expected during the marathon on Sunday.',
  'The drive to the hospital takes about 20 minutes in traffic.',
  'Court 3 is booked for the hearing at 10am.',
  'Please place the pallets in Bay 14 by the loading dock.',
  'Level 3, Zone C is closed for cleaning until further notice.',
  'She was transferred to Great Ormond Street yesterday evening.',
  'Sesame Street is still on in the mornings.',
  'Keep to the left lane until the junction.',
  // Numbers before capitalised words.
  '12 Angry Men is still one of the best courtroom dramas.',
  '2024 Budget Review: Draft for Comment',
  'We need Windows 11 Pro licences for 45 Laptops.',
  '50000 Euros were transferred in error and must be recalled.',
  'Form 1040 Schedule C is due with the return.',
  'The Boeing 787 Dreamliner has a longer range than the 737.',
  '4 Seasons Cleaning quoted £450 for the end-of-tenancy clean.',
  '3 Large Pizzas and 2 Garlic Breads, please.',
  'Section 8 Notices must give at least two weeks.',
  'Chapter 11 Protection was filed last night.',
  'Top 10 Tips for Better Sleep',
  '7 Habits of Highly Effective Managers is on the reading list.',
  // Codes shaped like postcodes, flights, references.
  'Flight BA 117 is boarding at gate 22.',
  'The part number is M1A 4BX-02 — do we still stock it?',
  'Reference 94103 has been closed.',
  'Use discount code SPRING2024 at checkout.',
  'Batch 75008 failed QA on the viscosity test.',
  'Order 10118 was refunded on the 4th.',
  'Tracking number 1Z 999 AA1 01 2345 6784',
  'Error E11 on the dishwasher display means a drainage fault.',
  'Our VAT number is GB 123 4567 89.',
  'The NHS 111 service is available 24 hours a day.',
  'Gate B12 is closed, please use Gate B14.',
  // Words that are also given names.
  'Will you send it before lunch?',
  'May I ask why the claim was rejected?',
  'Mark the box if you consent to a follow-up call.',
  'The Grace period ends on the 15th.',
  'Bill Payment Overdue: please settle within 7 days.',
  'Frank feedback is welcome at the retrospective.',
  'Hope this helps!',
  'Joy and relief all round when the results came back negative.',
  'Dawn shift starts at 6.',
  'April figures were better than March.',
  'Summer hours apply from June to August.',
  'An Amber warning for rain is in force for the whole region.',
  'Ruby on Rails or Django — which one for the intranet?',
  'Jack the car up before removing the wheel.',
  'Rose gold or silver for the retirement gift?',
  'Carol services are on Friday evening in the chapel.',
  'Chase the invoice with finance, it is three weeks late.',
  'Faith in the system is low after the outage.',
  'Sandy beaches and clear water: write me an ad for the hotel.',
  'Pat dry and apply the cream twice a day.',
  'Gene therapy trials are recruiting adults with sickle cell disease.',
  'Lance the abscess under local anaesthetic.',
  'Sue the supplier? Let us try mediation first.',
  // Brands, organisations, medicines, places.
  'Bank of America and HSBC both charge a fee for international transfers.',
  'Ministry of Health guidance was updated on Tuesday.',
  'Meet me at Victoria Station under the clock.',
  'The Riyadh and Jeddah offices close early during Ramadan.',
  'Paris is lovely in October.',
  'Take Paracetamol 1 g every six hours, no more than four doses in 24 hours.',
  'Is Ibuprofen safe to take with Warfarin?',
  'Microsoft Teams keeps crashing on my Surface Pro.',
  'Upload it to Google Drive and share the link in Slack.',
  'Apple Pay and Google Pay are accepted in the canteen.',
  'The Royal Infirmary has opened a new Emergency Department.',
  'Heathrow Terminal 5 had the shortest queues this morning.',
  'The European Central Bank raised rates by a quarter point.',
  'Canary Wharf and the City are quiet on Fridays.',
  'Is Hyde Park open after dark?',
  // Dates, amounts, hours.
  'The deadline is Monday 14 October at 17:00.',
  'Payment of $12,450.00 received on 03/11/2024.',
  'Q3 revenue rose 4.2% to £18.6m.',
  'Opening hours: Mon–Fri 8:00–18:00, Sat 9:00–13:00.',
  'Next review due: 2025-06-30.',
];

// ---------------------------------------------------------------------------------------------
// Dev part: other templates, other sentences, another seed.

const devNameContextTemplates: Array<Template<EnglishValues>> = [
  (values) => [
    'Hi ',
    { name: values.first() },
    ',\nCould you send me the signed NDA when you get a chance?\nThanks,\n',
    { name: values.first() },
  ],
  (values) => [
    'Write a short thank-you note to ',
    ...titled(values.titledFull()),
    ' for chairing the ethics committee this year.',
  ],
  (values) => [
    'Full name: ',
    { name: values.full() },
    `\nDate of birth: ${values.date()}\nNext of kin: `,
    { name: values.full() },
    ' (spouse)',
  ],
  (values) => [
    'Good afternoon, my name is ',
    { name: values.first() },
    ' and I need help disputing a card payment I do not recognise.',
  ],
  (values) => [
    'Clinic letter\nRe: ',
    { name: values.full() },
    '\nThis lady attended with her husband and reports two falls in the past month.',
  ],
  (values) => [
    'Can you check this sign-off reads well? "With warm regards, ',
    { name: values.full() },
    ', Head of Operations"',
  ],
  (values) => [
    'Discharged under the care of Dr ',
    { name: values.full() },
    ', with a follow-up in the respiratory clinic in six weeks.',
  ],
  (values) => [
    'Escalation: ',
    ...titled(values.titledLast()),
    ` has phoned four times since ${values.weekday()} and asked to speak to a manager.`,
  ],
];

const devNameContextSentences: Array<Piece[] | string> = [
  ['Dear Dr ', { name: 'Okonkwo-Bell' }, ',\n\nThank you for seeing this patient in the memory clinic.'],
  ['Applicant: ', { name: 'Farah Siddiqui-Long' }, '\nVisa category: Skilled Worker'],
  ['Cheers,\n', { name: 'Gwilym' }],
  ['The interview panel will be chaired by Mrs ', { name: 'Adebayo' }, ' and Prof ', { name: 'Hannelore Kraus' }, '.'],
  ['hello my name is ', { name: 'priya raman' }, ' i forgot my online banking password'],
  ['Signed,\n', { name: 'Euan MacLeod' }, '\nDirector of Estates'],
];

const devNameBareTemplates: Array<Template<EnglishValues>> = [
  (values) => [{ name: values.full() }, ' has asked to move her annual leave to the second week of August.'],
  (values) => ['Does the contract say whether ', { name: values.full() }, ' can work from home on Fridays?'],
  (values) => [
    'Rewrite this for the newsletter: ',
    { name: values.full() },
    ' ran the half marathon and raised £1,200 for the hospice.',
  ],
  (values) => [
    'The payroll error affected ',
    { name: values.full() },
    ' and ',
    { name: values.full() },
    ' in the March run.',
  ],
];

const devNameBareSentences: Array<Piece[] | string> = [
  [{ name: 'Graham Oyelaran-Scott' }, ' missed two shifts without notice last week.'],
  ['Why was ', { name: 'Beatriz Moura' }, ' not copied in on the audit findings?'],
  ['Let me know if ', { name: 'Hamish Drummond' }, ' still needs access to the shared drive.'],
  ['Apparently ', { name: 'Aylin Demir' }, ' and ', { name: 'Cormac Byrne' }, ' both applied for the same post.'],
];

const devStreetTemplates: Array<Template<EnglishValues>> = [
  (values) => ['Send the new card to ', { address: values.ukAddress() }, ', not to the branch.'],
  (values) => ['Correspondence address\n', { address: values.usStreet() }, '\n', { address: values.usCityZip() }],
  (values) => ['Our depot has moved to ', { address: values.usAddress() }, '. Drivers should use the north gate.'],
  (values) => ['The ambulance was sent to ', { address: values.street() }, ' instead of the care home.'],
  (values) => [
    'Dear ',
    ...titled(values.titledLast()),
    ', we have updated your address to ',
    { address: values.ukAddress() },
    ' as requested.',
  ],
  (values) => [{ address: values.usAddress() }, ' — is this property in a flood zone?'],
];

const devStreetSentences: Array<Piece[] | string> = [
  ['Can you find a pharmacy open late near ', { address: '48 Gloucester Place, London W1U 8HN' }, '?'],
  ['Parcel left at ', { address: 'Apartment 6, 19 Tannery Lane' }, ' with the neighbour.'],
  ['Home address: ', { address: '3309 Birchwood Court, Ann Arbor, MI 48105' }],
  ['moving out of ', { address: '27 cranbrook rd' }, ' on saturday, how do i cancel the council tax'],
  ['The lease covers ', { address: 'Unit 4, 88 Riverside Industrial Estate, Dartford DA1 5FQ' }, ' only.'],
];

const devPostcodeTemplates: Array<Template<EnglishValues>> = [
  (values) => ['Is there a GP surgery taking new patients in ', { address: values.ukTownPostcode() }, '?'],
  (values) => ['Please update my mailing address to ', { address: values.poBox() }, '.'],
  (values) => ['Our second branch is in ', { address: values.usCityZip() }, ', next to the library.'],
];

const devPostcodeSentences: Array<Piece[] | string> = [
  ['Postcode: ', { address: 'NR2 4TJ' }],
  ['Please send documents to ', { address: 'P.O. Box 11543, Dubai' }, ', United Arab Emirates.'],
  ['Can you deliver to ', { address: 'Chicago, IL 60614' }, ' by Friday?'],
];

const devNegativeTemplates: Array<Template<EnglishValues>> = [
  (values) => [
    `Flight EK ${values.int(1, 999)} from ${values.pick(departures)} lands at ${values.time()} on ${values.weekday()}.`,
  ],
  (values) => [`Ticket INC${values.int(100000, 999999)} raised: VPN drops every ${values.int(5, 50)} minutes.`],
  (values) => [
    `Meeting Room ${values.int(1, 9)}${values.pick(['A', 'B'])} on Floor ${values.int(1, 12)} is free until ${values.time()}.`,
  ],
  (values) => [
    `Dispense ${values.pick(medicines)} ${values.pick(['10', '20', '40'])} mg, ${values.int(14, 56)} tablets.`,
  ],
  (values) => [`${values.month()} ${values.int(2020, 2026)} Sales Report: revenue up ${values.int(1, 19)}%.`],
  (values) => [`Credit limit raised to $${values.int(1, 20)},000 from ${values.int(1, 28)} ${values.month()}.`],
];

const devNegativeSentences: Array<Piece[] | string> = [
  'Dear Sir,\n\nI wish to complain about the service I received at your branch.',
  'Good morning everyone, the fire alarm test is at 11.',
  'The nurse will call you when the results are back.',
  'Yours faithfully,\nThe Complaints Department',
  'Patient stable overnight, no new concerns.',
  'Please forward this to the relevant department.',
  'Ask the pharmacist about interactions before starting.',
  'Regards,\nIT Service Desk',
  'The road ahead for the company looks difficult.',
  'Downing Street declined to comment.',
  'The street food market opens at noon.',
  'He took the high road and apologised.',
  'Avenue Q is on at the local theatre.',
  'Crescent moon tonight, clear skies.',
  'Park in Bay 7 and take the lift to Level 2.',
  '101 Dalmatians was on TV again last night.',
  '3 Idiots is my favourite film.',
  'Windows 10 Support Ends Soon',
  '100 Days to Better Health — a programme outline.',
  'Route 66 Diner has a new menu.',
  'Flight AF 1234 was cancelled due to fog.',
  'Promo code SAVE20 expires on Sunday.',
  'Case number 2024/00317 is under review.',
  'SKU 94103-B is back in stock.',
  'The model is XR 7 3BZ, third generation.',
  'Will it rain tomorrow?',
  'May we use your data for research?',
  'Bob your head to the music, they said.',
  'Faith, Hope and Charity are virtues, not staff.',
  'Heather honey is darker than clover honey.',
  'Grant funding closes in March.',
  'Sterling fell against the dollar.',
  'Victoria sponge for the bake sale.',
  'Cliff erosion has closed the coastal path.',
  'Salesforce and Workday both need new licences.',
  'Santander has changed its overdraft fees.',
  'The Ministry of Defence issued a statement.',
  'Ventolin inhaler, two puffs as needed.',
  'Jeddah is humid in August.',
  'Gatwick North Terminal is closed for refurbishment.',
  'Saint Petersburg is on the list of conference venues.',
  'The invoice total is €3,400.50, payable by 31 January.',
  'Office closed Thursday 26 December.',
  'Balance: £0.00',
  'Shift pattern: 07:30–20:00, four on, four off.',
];

export const english: LanguageSource<EnglishValues> = {
  language: 'en',
  values: englishValues,
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
