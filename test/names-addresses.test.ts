// The pii.name and pii.address detectors: names introduced by context or by a listed given name,
// addresses by their structure, in English, French and Arabic, with hard negatives, and linear time
// on adversarial input (asserted on counts and spans, not on timings).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAddresses } from '../src/policy/addresses.js';
import { findNames } from '../src/policy/names.js';

const names = (text: string): string[] => findNames(text).map((span) => text.slice(span.start, span.end));
const addresses = (text: string): string[] => findAddresses(text).map((span) => text.slice(span.start, span.end));

function expectNames(cases: [string, string[]][]): void {
  for (const [text, expected] of cases) assert.deepEqual(names(text), expected, JSON.stringify(text));
}

function expectAddresses(cases: [string, string[]][]): void {
  for (const [text, expected] of cases) assert.deepEqual(addresses(text), expected, JSON.stringify(text));
}

describe('a name after an honorific is found, not the honorific', () => {
  it('in English', () => {
    expectNames([
      ['Dr Amira Haddad will see you at noon.', ['Amira Haddad']],
      ['Please forward this to Mr. John Smith.', ['John Smith']],
      ["Mrs O'Brien's car is outside.", ["O'Brien"]],
      ['Ms Chen and Prof. Dr. Hans Müller signed.', ['Chen', 'Hans Müller']],
      ['Sir Elton John sang.', ['Elton John']],
      ['Dear Mr. Smith, thank you.', ['Smith']],
      ['Miss Marple solved it.', ['Marple']],
      ['Dr. J. R. Tolkien wrote it.', ['J. R. Tolkien']],
      ['President Emmanuel Macron spoke.', ['Emmanuel Macron']],
    ]);
  });

  it('in French', () => {
    expectNames([
      ['M. Dupont a appelé ce matin.', ['Dupont']],
      ['Mme de Gaulle est arrivée.', ['de Gaulle']],
      ['Mlle Sophie Martin a réservé.', ['Sophie Martin']],
      ['Me Dupont représente le client.', ['Dupont']],
      ['Le docteur Martin vous recevra.', ['Martin']],
      ['Monsieur Jean-Pierre Durand souhaite un rendez-vous.', ['Jean-Pierre Durand']],
      ['Pr Lefèvre dirige le service.', ['Lefèvre']],
    ]);
  });

  it('in Arabic', () => {
    expectNames([
      ['السيد أحمد العتيبي وصل إلى المكتب.', ['أحمد العتيبي']],
      ['الدكتورة فاطمة الزهراء في العيادة اليوم.', ['فاطمة الزهراء']],
      ['د. سارة القحطاني طبيبة القلب.', ['سارة القحطاني']],
      ['والسيد محمد بن سلمان حضر.', ['محمد بن سلمان']],
      ['الشيخ زايد بن سلطان آل نهيان', ['زايد بن سلطان آل نهيان']],
      ['السيدة ماري كوري عالمة.', ['ماري كوري']],
    ]);
  });
});

describe('a name after a phrase, a salutation or a sign-off is found', () => {
  it('in English', () => {
    expectNames([
      ['My name is Inigo Montoya.', ['Inigo Montoya']],
      ['Patient: Sarah Connor, 45, admitted.', ['Sarah Connor']],
      ['The patient John Doe was discharged.', ['John Doe']],
      ['Name: Jane Roe', ['Jane Roe']],
      ['Dear John,\nThanks for the order.', ['John']],
      ['Hi Mark, can you review this?', ['Mark']],
      ['Best regards,\nTom Hanks\nCEO', ['Tom Hanks']],
      ['Thanks for your help. Sincerely, Emily Clarke', ['Emily Clarke']],
      ['Signed: J. Smith', ['J. Smith']],
      ["I'm Sarah and I need help.", ['Sarah']],
      ['a man named John Smith called', ['John Smith']],
      ['His daughter Emily asked for the results.', ['Emily']],
      ['a movie called Blade Runner', []],
    ]);
  });

  it('in French', () => {
    expectNames([
      ["Je m'appelle Jean-Pierre Dupont et j'habite à Lyon.", ['Jean-Pierre Dupont']],
      ['Mon nom est Claire Moreau.', ['Claire Moreau']],
      ['Nom : DUPONT Jean', ['DUPONT Jean']],
      ['La patiente Camille Roux est sortie hier.', ['Camille Roux']],
      ['Chère Sophie,\nmerci pour votre message.', ['Sophie']],
      ['Bonjour Marie, comment allez-vous ?', ['Marie']],
      ['Cordialement,\nMarie-Claire Durand', ['Marie-Claire Durand']],
      ['Bien à vous, Paul', ['Paul']],
      ['Sa fille Sophie souhaite un rendez-vous.', ['Sophie']],
    ]);
  });

  it('in Arabic', () => {
    expectNames([
      ['اسمي خالد وأسكن في الرياض.', ['خالد']],
      ['الاسم: رنا', ['رنا']],
      ['المريضة نورة القحطاني تعاني من الصداع.', ['نورة القحطاني']],
      ['عزيزي محمد، شكرا لرسالتك.', ['محمد']],
      ['مع التحية،\nعبدالله الحربي', ['عبدالله الحربي']],
      ['مرحبا يا سارة', ['سارة']],
      ['أنا أحمد', ['أحمد']],
      ['وطلبت ابنته مريم أن ترسل النتائج إلى زوجها يوسف العلوي', ['مريم', 'يوسف العلوي']],
    ]);
  });
});

describe('a listed given name followed by a family name is a name', () => {
  it('in English and French', () => {
    expectNames([
      ['John Smith called yesterday.', ['John Smith']],
      ['Emily Brown and Paul Young came.', ['Emily Brown', 'Paul Young']],
      ['Theresa May said no.', ['Theresa May']],
      ['Ludwig van Beethoven wrote nine symphonies.', ['Ludwig van Beethoven']],
      ['Khalid al-Rashid and Mohammed bin Salman met.', ['Khalid al-Rashid', 'Mohammed bin Salman']],
      ['Marie Dubois habite à Lyon.', ['Marie Dubois']],
      ['Ronald McDonald smiled.', ['Ronald McDonald']],
    ]);
  });

  it('in Arabic, where a bare name that is also a word needs more', () => {
    expectNames([
      ['اتصل بي محمد أمس', ['محمد']],
      ['محمد بن سلمان بن عبدالعزيز آل سعود', ['محمد بن سلمان بن عبدالعزيز آل سعود']],
      ['عبد الله بن عمر', ['عبد الله بن عمر']],
      ['حضر أحمد ومحمد الاجتماع', ['أحمد', 'محمد']],
      ['أمل العتيبي', ['أمل العتيبي']],
      ['شخص كريم جدا', []],
      ['يجب علي الذهاب', []],
      ['عمر المريض 45 سنة', []],
      ['مركز نور الطبي', []],
    ]);
  });
});

describe('a capitalised word after a salutation or honorific that is not a name is not flagged', () => {
  it('in English', () => {
    for (const text of [
      'Dear Sir or Madam,',
      'Dear Team,',
      'Dear Valued Customer,',
      'Dear Hiring Manager,',
      'Hello World!',
      'Hello Kitty backpack',
      'Hi Claude, summarise this.',
      'Hi all, the build is green.',
      'Regards,\nThe Support Team',
      'Sincerely,\nCustomer Care',
      'I drank a Dr. Pepper.',
      'Mr. Clean spray',
      'Miss France 2024',
      'Captain America',
      'General Motors recalled cars.',
      'Major League Baseball',
      'Me Too movement',
      'Hello Paris!',
      'Patient Safety Week',
      'Patient ID: 12345',
      'Name: N/A',
      'File name: report.pdf',
      'I am Christian',
      'Named Exports Supported',
    ])
      assert.deepEqual(names(text), [], JSON.stringify(text));
  });

  it('in French and Arabic', () => {
    for (const text of [
      'Bonjour à tous,',
      'Chers collègues,',
      'Madame, Monsieur,',
      'Monsieur le Maire a parlé.',
      'Bonjour Paris !',
      'Cordialement,\nLe service client',
      'Le Président de la République',
      'عزيزي العميل، تم شحن طلبك.',
      'مع التحية،\nفريق الدعم',
      'السيد الرئيس',
      'السيدة الأولى',
      'الأستاذ الجامعي',
      'الدكتور أوضح أن الحالة مستقرة.',
      'المريض يعاني من ألم في الصدر.',
      'مرحبا يا جماعة',
    ])
      assert.deepEqual(names(text), [], JSON.stringify(text));
  });
});

describe('words that are names elsewhere are not flagged in prose, places or organisations', () => {
  it('leaves alone common words, places, organisations and code', () => {
    for (const text of [
      'patient care is our priority',
      'the patient is stable',
      'May Day is a holiday.',
      'Will Power is a book.',
      'Christian Democrats won the vote.',
      'Case Study',
      'Read More',
      'I visited Paris and Saint-Denis.',
      'Meet me at Victoria Station.',
      'She reads the Wall Street Journal.',
      'Bank of America reported.',
      'George Washington University',
      'John F. Kennedy Airport',
      'Jordan River',
      'Santa Monica',
      'Hurricane Katrina',
      'Lycée Jean Moulin',
      'rue Victor Hugo',
      'Aéroport Charles de Gaulle',
      'Claude Opus 4.5 was released',
      'type Resolved = M.Resolve<M.Primitive<string>>',
      'name: String | Function',
      'signature: NodeJS.ArrayBufferView',
      'شارع الملك فهد',
      'جامعة الملك سعود',
      'طريق الملك عبدالعزيز',
      'مستشفى الملك فيصل التخصصي',
    ])
      assert.deepEqual(names(text), [], JSON.stringify(text));
  });
});

describe('addresses with a street number in each language', () => {
  it('in English', () => {
    expectAddresses([
      ['221B Baker Street', ['221B Baker Street']],
      [
        'I live at 1600 Pennsylvania Avenue NW, Washington, DC 20500.',
        ['1600 Pennsylvania Avenue NW, Washington, DC 20500'],
      ],
      ["12 St John's Road", ["12 St John's Road"]],
      ['Apt 4B, 123 Main St, Springfield, IL 62704', ['Apt 4B, 123 Main St, Springfield, IL 62704']],
      ['10 Downing Street, London SW1A 2AA', ['10 Downing Street, London SW1A 2AA']],
      ['Ship it to 42 Wallaby Way, Sydney.', ['42 Wallaby Way, Sydney']],
      ['725 5th Avenue', ['725 5th Avenue']],
      ['Ship it to 872 Park Drive.', ['872 Park Drive']],
    ]);
  });

  it('in French and German', () => {
    expectAddresses([
      ['12 bis, rue de la Paix', ['12 bis, rue de la Paix']],
      ['3 allée des Tilleuls', ['3 allée des Tilleuls']],
      ['Livraison au 12 rue de la Paix, 75002 Paris, France.', ['12 rue de la Paix, 75002 Paris, France']],
      [
        '8 boulevard du Général Leclerc 92200 Neuilly-sur-Seine',
        ['8 boulevard du Général Leclerc 92200 Neuilly-sur-Seine'],
      ],
      ['5 AVENUE FOCH', ['5 AVENUE FOCH']],
      ["27 Quai d'Argenteuil", ["27 Quai d'Argenteuil"]],
      ['Hauptstraße 5', ['Hauptstraße 5']],
      ['Friedrich-Ebert-Platz 5', ['Friedrich-Ebert-Platz 5']],
      ['Bahnhofstr. 12a, 80335 München', ['Bahnhofstr. 12a, 80335 München']],
    ]);
  });

  it('in Arabic, with the number before or after, and the Saudi national address', () => {
    expectAddresses([
      ['١٢ شارع الملك فهد', ['١٢ شارع الملك فهد']],
      ['12 شارع الملك فهد', ['12 شارع الملك فهد']],
      ['شارع التحلية، حي السليمانية', ['شارع التحلية، حي السليمانية']],
      [
        '2345 طريق الملك عبدالعزيز، حي الملز، الرياض 12629 - 7890',
        ['2345 طريق الملك عبدالعزيز، حي الملز، الرياض 12629 - 7890'],
      ],
      ['العنوان: شارع الستين رقم 45', ['شارع الستين رقم 45']],
      ['يسكن في شارع الحرية رقم ١٤ في الرباط.', ['شارع الحرية رقم ١٤']],
    ]);
  });

  it('gives UTF-16 offsets into the text as given', () => {
    const text = 'Adresse : 12 rue de l’Église, 75004 Paris — merci';
    const [span] = findAddresses(text);
    assert.equal(text.slice(span!.start, span!.end), '12 rue de l’Église, 75004 Paris');
    assert.equal(span!.label, 'pii.address');
    const [name] = findNames('Dr\u00a0Amira Haddad');
    assert.deepEqual(name, { start: 3, end: 15, label: 'pii.name' });
  });
});

describe('postcodes in context', () => {
  it('by a city, a state, a label, a box', () => {
    expectAddresses([
      ['75008 Paris', ['75008 Paris']],
      ['13001 Marseille', ['13001 Marseille']],
      ['10115 Berlin', ['10115 Berlin']],
      ['F-75008 Paris', ['F-75008 Paris']],
      ['Springfield, IL 62704', ['Springfield, IL 62704']],
      ['CA 94103-1234', ['CA 94103-1234']],
      ['SW1A 1AA', ['SW1A 1AA']],
      ['M1 1AE', ['M1 1AE']],
      ['EC1A 1BB', ['EC1A 1BB']],
      ['الرياض 12629', ['الرياض 12629']],
      ['الرمز البريدي 12629-7890', ['12629-7890']],
      ['code postal : 75008', ['75008']],
      ['P.O. Box 123', ['P.O. Box 123']],
      ['PO Box 123', ['PO Box 123']],
      ['BP 123', ['BP 123']],
      ['B.P. 123', ['B.P. 123']],
      ['ص.ب 1234', ['ص.ب 1234']],
      ['ص ب ١٢٣٤', ['ص ب ١٢٣٤']],
      ['Postfach 1234', ['Postfach 1234']],
    ]);
  });
});

describe('street words, numbers and amounts in prose are not addresses', () => {
  it('in each language', () => {
    for (const text of [
      'We walked on the road for hours.',
      '12 Angry Men is a classic film.',
      'The 3 Musketeers',
      'The 2024 Budget was approved.',
      'We paid 50000 Euros.',
      'The company has 10000 employees.',
      'Order 12345 shipped on 2024-03-01.',
      'I need 4 Wheel Drive.',
      'Top 10 Court Cases of the year',
      '5 Close Friends came over.',
      'We set 3 Place Settings for dinner.',
      'The flat is 100 square meters.',
      'Meet at 10:30 Main Street',
      'Save 15 Google Drive files.',
      'In 2019 Main Street Bank merged.',
      'BP 120/80, pulse 72',
      'ref 12345-6789',
      'He scored 12345 Points',
      'Route 66 is famous.',
      'Windows 11 Pro',
      'La rue était calme ce soir.',
      'Il reste 1 place libre.',
      "J'ai 2 cours de Français demain.",
      'Le 14 juillet 2024 est férié.',
      'Il a payé 75000 euros.',
      'Les 2 places de cinéma',
      'الشارع مزدحم اليوم.',
      'هو حي يرزق.',
      'تم الدفع عن طريق البطاقة 3 مرات.',
      'عن طريق الإنترنت',
      'الطلب رقم 12345 جاهز.',
      'السعر 50000 ريال.',
    ])
      assert.deepEqual(addresses(text), [], JSON.stringify(text));
  });
});

describe('a salutation or "signed" that ends its line signs off, and a sign-off\'s name may stand alone', () => {
  it('finds the name on the next line, listed or not', () => {
    expectNames([
      ['Thanks,\nMatilda', ['Matilda']],
      ['Merci,\nMarc', ['Marc']],
      ['Signed,\nEuan MacLeod\nDirector of Estates', ['Euan MacLeod']],
      ['شكرا،\nأمير', ['أمير']],
      ['Cheers,\nGwilym', ['Gwilym']],
      ['Thanks, Gwilym', ['Gwilym']],
      ['À bientôt,\nGwenaël', ['Gwenaël']],
      ['تحياتي،\nمصلح', ['مصلح']],
      ['مع الاحترام،\nمعز المحجوب', ['معز المحجوب']],
    ]);
  });

  it('knows more sign-offs in each language', () => {
    expectNames([
      ['All the best,\nAlysa', ['Alysa']],
      ['Take care,\nArdella', ['Ardella']],
      ['À plus,\nAmalthée', ['Amalthée']],
      ['Bonne journée,\nHubert', ['Hubert']],
      ['— Mary Jones', ['Mary Jones']],
    ]);
  });

  it('leaves alone a team, a role or a sentence on the next line', () => {
    for (const text of [
      'Thanks,\nThe Support Team',
      'Best,\nAdmin',
      'Thanks!\nPlease reply soon.',
      'Hi,\nCould you check this?',
      'Merci,\nBonne journée',
      'شكرا،\nفريق الدعم',
      '— Summary',
      '— Sent from my iPhone',
    ]) {
      assert.deepEqual(names(text), [], JSON.stringify(text));
    }
  });
});

describe('a person introducing themselves, in capitals or in lower case', () => {
  it('takes a given and a family name after "I am", "je suis", "أنا", listed or not', () => {
    expectNames([
      ['Bonjour, je suis Mallaury Lopez et je ne reconnais pas ce paiement.', ['Mallaury Lopez']],
      ["Hi, I'm Tierra Klein, I bought a laptop.", ['Tierra Klein']],
      ['أنا تيسير العنابي، عميل لديكم.', ['تيسير العنابي']],
    ]);
    for (const text of [
      "I'm Head of Sales.",
      'I am Lead Engineer at Acme.',
      "I'm Super Excited!",
      'Je suis Chef de Projet chez Orange.',
      'أنا طالب جامعي',
      'أنا مهندس برمجيات',
    ]) {
      assert.deepEqual(names(text), [], JSON.stringify(text));
    }
  });

  it('takes a listed given name typed in lower case after "my name is", "je m\'appelle"', () => {
    expectNames([
      ['hello my name is priscilla mendy and i forgot my password', ['priscilla mendy']],
      ['bonjour je m appelle priscilla mendy j ai oublié mon mot de passe', ['priscilla mendy']],
    ]);
    for (const text of [
      'my name is not important',
      'my name is spelled wrong',
      'the file name is report.pdf',
      'je m appelle pas comme ça',
    ]) {
      assert.deepEqual(names(text), [], JSON.stringify(text));
    }
  });
});

describe('a name in a subject line, a form field for a person, or set off by commas', () => {
  it('takes a listed given name after "Re:", "Objet :", "بخصوص:", not a title', () => {
    expectNames([
      ['Re: Sarah Connor\nThis lady attended.', ['Sarah Connor']],
      ['Objet : Aminata Gauthier\nLa patiente est venue.', ['Aminata Gauthier']],
      ['بخصوص: حنان عظومة\nحضرت المريضة', ['حنان عظومة']],
    ]);
    for (const text of [
      'Re: Quarterly Budget Review',
      'Re: Project Update',
      'Objet : Demande de Congé',
      'بخصوص: طلب إجازة',
    ])
      assert.deepEqual(names(text), [], JSON.stringify(text));
  });

  it('takes the person of a role field, and a name between commas after "the patient"', () => {
    expectNames([
      ['Next of kin: Kayden Beatty', ['Kayden Beatty']],
      ['Personne à prévenir : Amiel Royer', ['Amiel Royer']],
      ['المستأجر: خالد العتيبي', ['خالد العتيبي']],
      ['The patient, Cleora Wunsch, was seen today.', ['Cleora Wunsch']],
    ]);
    for (const text of [
      'Contact: Sales Department',
      'Tenant: Acme Ltd',
      'The patient, aged 45, was seen.',
      'His son Minecraft Server crashed.',
    ])
      assert.deepEqual(names(text), [], JSON.stringify(text));
  });

  it('reads "M. Saint-Clair" as a family name and a spaced hyphen as the end of a phrase', () => {
    expectNames([
      ['Réclamation : M. Saint-Clair a appelé.', ['Saint-Clair']],
      ['Le patient habite rue Saint-Denis.', []],
      ['Hey Vesta - quick one.', ['Vesta']],
    ]);
  });
});

describe('Arabic names after honorifics, words of respect and salutations', () => {
  it('finds them', () => {
    expectNames([
      ['الأستاذ الفاضل خالد العمري، شكرا', ['خالد العمري']],
      ['تحت إشراف الدكتور رضوان الأشراف، مع موعد متابعة', ['رضوان الأشراف']],
      ['قابلت السيد أمان أمس.', ['أمان']],
      ['أهلاً عوضية،\nهل وقعت العقد؟', ['عوضية']],
      ['السلام عليكم خليل،', ['خليل']],
    ]);
  });

  it('leaves alone roles and what follows a greeting', () => {
    for (const text of [
      'الدكتور مدير القسم',
      'قابلت السيد الوزير أمس.',
      'مرحبا بك',
      'مرحبا بكم، كيف حالكم؟',
      'شكرا جزيلا، وصلت الرسالة.',
      'السلام عليكم، أريد الاستفسار',
    ]) {
      assert.deepEqual(names(text), [], JSON.stringify(text));
    }
  });
});

describe('two people greeted together, an initial without its dot, a vocative title', () => {
  it('finds both names of a greeted pair, and the initial after an honorific', () => {
    expectNames([
      ['Dear Anwen and Gethin,', ['Anwen', 'Gethin']],
      ['Bonjour Maëlle et Loïc,', ['Maëlle', 'Loïc']],
      ['Dear Ms Patel and Mr Shah,', ['Patel', 'Shah']],
      ['Mrs A Khan has been booked in.', ['A Khan']],
      ['يا دكتور هاني، متى الموعد؟', ['هاني']],
    ]);
  });

  it('leaves alone a greeted group, a lone capital and a title used as a noun', () => {
    for (const text of [
      'Dear Sales and Marketing,',
      'Hello Team and Friends,',
      'Mr A is here.',
      'Dear A Level students,',
      'هو أستاذ في الجامعة منذ سنوات.',
      'عمل مهندس مدني في الشركة',
    ]) {
      assert.deepEqual(names(text), [], JSON.stringify(text));
    }
  });
});

describe('given names of more communities, with or without their accents', () => {
  it('finds them before a family name', () => {
    expectNames([
      ['Anjali Raman called.', ['Anjali Raman']],
      ['Aylin Demir and Cormac Byrne applied.', ['Aylin Demir', 'Cormac Byrne']],
      ['Leïla Mansouri et Bastien Kerjean ont postulé.', ['Leïla Mansouri', 'Bastien Kerjean']],
    ]);
  });
});

describe('more street forms: British types, numbered roads, the article, lower case', () => {
  it('in English', () => {
    expectAddresses([
      ['The ambulance went to 110 Shields Mead instead.', ['110 Shields Mead']],
      ['Send it to 94 Lakin Brae.', ['94 Lakin Brae']],
      ['15 Nigel Copse Apt. 240, Quigleyfield HA6 3DE', ['15 Nigel Copse Apt. 240, Quigleyfield HA6 3DE']],
      ['2723 Route 9\nSporercester, NC 28337', ['2723 Route 9', 'Sporercester, NC 28337']],
      ['1200 State Highway 50, Carson City', ['1200 State Highway 50, Carson City']],
      ['629 The Spinney, Brighton BN1 1AA', ['629 The Spinney, Brighton BN1 1AA']],
      ['14 The Paddocks, Ripon', ['14 The Paddocks, Ripon']],
      ['I moved to 96 The Oaks Suite 187 last week.', ['96 The Oaks Suite 187']],
      ['I moved to 6 Lodge Close last week.', ['6 Lodge Close']],
      ['moving out of 27 cranbrook rd on saturday', ['27 cranbrook rd']],
      ['Deliver to 812 hector rise suite 515 tomorrow', ['812 hector rise suite 515']],
    ]);
  });

  it('in French', () => {
    expectAddresses([
      ['je quitte le 27 rue jean moulin samedi', ['27 rue jean moulin']],
      ['Il habite 12 avenue Foch depuis mai.', ['12 avenue Foch']],
      ['Je déménage au 4332 avenue de la victoire demain', ['4332 avenue de la victoire']],
      ['Mon adresse : 850 Passage Montorgueil 5 étage', ['850 Passage Montorgueil 5 étage']],
      ['Boîte postale 828', ['Boîte postale 828']],
      ['Écrire à CS 70001', ['CS 70001']],
    ]);
  });

  it('in Arabic: more street words, units after their number, a district with the article, a city before its postcode', () => {
    expectAddresses([
      ['7164 رصيف جابالله', ['7164 رصيف جابالله']],
      ['أسكن في 12 نهج الحرية منذ سنة', ['12 نهج الحرية']],
      ['يسكن في 17 طريق الكورنيش، جدة.', ['17 طريق الكورنيش، جدة']],
      ['أرسل الطلب إلى 5007 رصيف سهيل 278 طابق، الخيام', ['5007 رصيف سهيل 278 طابق']],
      [
        'يشمل العقد وحدة 4، 88 المنطقة الصناعية الثانية، الدمام 32241 فقط.',
        ['وحدة 4، 88 المنطقة الصناعية الثانية، الدمام 32241'],
      ],
      ['فرعنا في أبها 62521 بجوار المكتبة', ['أبها 62521']],
      ['التوصيل إلى الدار البيضاء 20330 قبل الجمعة؟', ['الدار البيضاء 20330']],
      ['في تونس ١٠٠٢؟', ['تونس ١٠٠٢']],
    ]);
  });

  it('leaves alone counted things, words that are also types, years and amounts', () => {
    for (const text of [
      'Chapter 3 The End',
      'I need 2 more street lamps.',
      'we saw 4 deer park tomorrow',
      'il reste 1 place de parking',
      'Take the 3 Highway exits.',
      'TSA 2023 report',
      'الرياض 2030 رؤية',
      'دبي 1000 درهم',
      'Paris 2024 Olympics',
      '88 المنطقة الصناعية',
      'هناك 4 المناطق المتضررة',
      'He has 2 Bank accounts.',
      'We planted 3 Limes and 2 Elms.',
      'il reste 1 place Premium pour le concert',
      'I watched 3 Avenue Films in a row',
    ])
      assert.deepEqual(addresses(text), [], JSON.stringify(text));
  });
});

describe('linear time on adversarial input', () => {
  const megabyte = 1 << 20;
  const fill = (unit: string): string => unit.repeat(Math.ceil(megabyte / unit.length)).slice(0, megabyte);

  it('finds the expected spans, and nothing else, in a megabyte of repeats', () => {
    assert.equal(findNames(fill('Mr ')).length, 0);
    assert.equal(findNames(fill('M. ')).length, 0);
    assert.equal(findNames(fill('Dear ')).length, 0);
    assert.equal(findNames(fill(`${'x'.repeat(999)} `)).length, 0);
    assert.equal(findNames(`A${'b'.repeat(megabyte)}`).length, 0);
    assert.equal(findNames('7'.repeat(megabyte)).length, 0);
    // Names are at most five words, so a run of given names splits into spans of five.
    const johns = fill('John ');
    const spans = findNames(johns);
    assert.equal(spans.length, Math.ceil(Math.floor(megabyte / 5) / 5));
    assert.equal(johns.slice(spans[0]!.start, spans[0]!.end), 'John John John John John');
    for (let index = 1; index < spans.length; index += 1) assert.ok(spans[index]!.start >= spans[index - 1]!.end);
    assert.equal(findNames(fill('السيد ')).length, 0);
    assert.equal(findNames(fill('شارع حي ')).length, 0);

    assert.equal(findAddresses(fill('12 rue ')).length, 0);
    assert.equal(findAddresses(fill('1 A ')).length, 0);
    assert.equal(findAddresses(fill('12345 ')).length, 0);
    assert.equal(findAddresses('7'.repeat(megabyte)).length, 0);
    assert.equal(findAddresses(fill('a')).length, 0);
    assert.equal(findAddresses(fill('شارع حي ')).length, 0);
    const streets = findAddresses(fill('12 Main Street, '));
    assert.equal(streets.length, Math.floor(megabyte / 16));
    assert.deepEqual(streets[0], { start: 0, end: 14, label: 'pii.address' });
  });

  it('finds nothing in a megabyte of triggers with no name, and each name in one dense with names', () => {
    for (const unit of ['Re: ', 'Thanks,\n', '— A\n', 'my name is ', '1 A ', 'Dear Dear ', 'A.'])
      assert.equal(findNames(fill(unit)).length, 0, JSON.stringify(unit));
    assert.equal(findAddresses(fill('1 A ')).length, 0);
    const arabic = fill('السيد أحمد شارع حي ');
    const spans = findNames(arabic);
    assert.equal(spans.length, Math.floor(megabyte / 19));
    assert.ok(spans.every((span) => arabic.slice(span.start, span.end) === 'أحمد'));
    assert.equal(findAddresses(arabic).length, 0);
  });

  it('gives the same answer on a small text after a big one (no state left over)', () => {
    findNames(fill('Dear John Smith ')) && findAddresses(fill('12 rue de la Paix, 75002 Paris, '));
    assert.deepEqual(names('Dear Sam'), ['Sam']);
    assert.deepEqual(names('Dear Team'), []);
    assert.deepEqual(addresses('5 Oak Close'), ['5 Oak Close']);
    assert.deepEqual(addresses('5 Oak Close Friends'), []);
  });
});
