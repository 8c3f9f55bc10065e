// Given names common today in English- and French-speaking countries that the older English lists
// (Moby Word II, 1990s) and the French list lack: names of recent decades, and of communities of
// South Asian, West and East African, Turkish, Irish, Scottish, Welsh, Hispanic, Italian, Slavic and
// East Asian origin, for the pii.name detector.
// Source: assembled by hand for this project from general knowledge of common given names; no list
// was copied. Names are facts; Apache-2.0 with the project. Names that are also English or French
// words (Nova, Sky, Jade, Marine) are left out, or need context (see name-words.ts).
// The given names the held-out corpus (test/support/pii-corpus-*.ts) picks by hand are kept out of
// this list, so that its figures measure the detector rather than the list.

export const worldGivenNames: readonly string[] = [
  // Recent English-speaking decades
  'Aiden', 'Ayden', 'Jayden', 'Jaden', 'Brayden', 'Kayden', 'Caden', 'Aidan', 'Liam', 'Mason', 'Logan',
  'Lucas', 'Elijah', 'Oliver', 'Jacob', 'Ethan', 'Noah', 'Owen', 'Wyatt', 'Levi', 'Asher', 'Ezra',
  'Jaxon', 'Jackson', 'Grayson', 'Greyson', 'Carter', 'Easton', 'Landon', 'Colton', 'Hudson', 'Lincoln',
  'Bentley', 'Brantley', 'Kingston', 'Maverick', 'Everett', 'Finn', 'Finley', 'Harrison',
  'Harvey', 'Alfie', 'Archie', 'Freddie', 'Theo', 'Teddy', 'Reggie', 'Ronnie', 'Tommy', 'Callum',
  'Kieran', 'Connor', 'Conor', 'Ryan', 'Tyler', 'Dylan', 'Cody', 'Brandon', 'Justin', 'Kyle', 'Trevor',
  'Aria', 'Ariana', 'Arianna', 'Ava', 'Avery', 'Aubrey', 'Addison', 'Brooklyn', 'Kaylee', 'Kayla',
  'Makayla', 'Madison', 'Mackenzie', 'Mila', 'Isla', 'Ivy', 'Harper', 'Evelyn', 'Abigail', 'Emily',
  'Chloe', 'Zoey', 'Zoe', 'Lily', 'Leah', 'Nora', 'Hazel', 'Ellie', 'Elsie', 'Poppy',
  'Freya', 'Imogen', 'Isabella', 'Sienna', 'Sophia', 'Sofia', 'Amelia', 'Scarlett', 'Savannah',
  'Skylar', 'Paisley', 'Peyton', 'Kinsley', 'Jasmine', 'Destiny', 'Brianna', 'Alyssa', 'Megan',
  'Bethany', 'Courtney', 'Chelsea', 'Shannon', 'Kelsey', 'Lauren', 'Hannah', 'Jessica', 'Ashley',
  'Brittany', 'Amber', 'Tiffany', 'Danielle', 'Kimberly', 'Maya', 'Mya', 'Aaliyah', 'Nevaeh', 'Jaylen',
  'Jalen', 'Deshawn', 'Darnell', 'Tyrone', 'Jamal', 'Malik', 'Andre', 'Terrell', 'Marquis', 'Keisha',
  'Latoya', 'Tanisha', 'Ebony', 'Shanice', 'Imani', 'Aliyah', 'Jada', 'Kiara',
  // Irish, Scottish and Welsh
  'Saoirse', 'Ciara', 'Caoimhe', 'Orla', 'Roisin', 'Sinead', 'Aisling',
  'Clodagh', 'Eimear', 'Grainne', 'Maeve', 'Oisin', 'Cian', 'Cillian', 'Ciaran', 'Eoin', 'Padraig',
  'Seamus', 'Sean', 'Shane', 'Darragh', 'Fionn', 'Ronan', 'Tadhg', 'Cathal', 'Colm', 'Cormac', 'Donal',
  'Eamon', 'Fergal', 'Niall', 'Ruairi', 'Euan', 'Ewan', 'Hamish', 'Angus', 'Alasdair', 'Alistair',
  'Fraser', 'Murdo', 'Struan', 'Iain', 'Morag', 'Mhairi', 'Kirsty', 'Ailsa',   'Isla', 'Gwilym', 'Gethin', 'Dewi', 'Emrys', 'Geraint', 'Gruffudd', 'Huw', 'Iwan',
  'Ioan', 'Llyr', 'Owain', 'Rhodri', 'Aled', 'Bethan', 'Carys', 'Cerys', 'Ffion', 'Gwen', 'Gwenllian',
  'Lowri', 'Megan', 'Nia', 'Rhian', 'Sian', 'Seren', 'Angharad', 'Eleri', 'Catrin',
  // South Asian
  'Anjali', 'Aishwarya', 'Deepa', 'Divya', 'Kavya', 'Lakshmi', 'Meera', 'Neha',
  'Pooja', 'Puja', 'Radhika', 'Riya', 'Sanjana', 'Shreya', 'Sneha', 'Sunita', 'Swati', 'Tanvi',
  'Anika', 'Aditi', 'Isha', 'Kiran', 'Nisha', 'Pallavi', 'Preeti', 'Rekha', 'Shalini', 'Simran',
  'Harpreet', 'Gurpreet', 'Manpreet', 'Jaspreet', 'Navdeep', 'Amrit', 'Parveen', 'Nasreen', 'Shabnam',
  'Farzana', 'Rukhsana', 'Shazia', 'Ayesha', 'Sana', 'Hina', 'Mehwish', 'Nadia', 'Aarav',
  'Aditya', 'Akash', 'Amit', 'Anil', 'Arun', 'Ashok', 'Deepak', 'Dev', 'Gaurav', 'Harish', 'Karan',
  'Kunal', 'Manish', 'Mohan', 'Nikhil', 'Pranav', 'Rahul', 'Rajesh', 'Rakesh', 'Rohan',
  'Rohit', 'Sachin', 'Sandeep', 'Sanjay', 'Sunil', 'Suresh', 'Varun', 'Vijay', 'Vikram', 'Vikas',
  'Vivek', 'Yash', 'Ishaan', 'Vihaan', 'Krishna', 'Ganesh', 'Ramesh', 'Mahesh', 'Dinesh', 'Rajiv',
  'Sameer', 'Imran', 'Irfan', 'Asif', 'Bilal', 'Faisal', 'Usman', 'Zubair', 'Tariq', 'Shahid',
  'Kamran', 'Adnan', 'Naveed', 'Waqar', 'Zeeshan', 'Junaid', 'Arif', 'Rizwan', 'Sajid', 'Wasim',
  // West and East African
  'Aminata', 'Mariama', 'Kadiatou', 'Aissatou', 'Adama', 'Binta', 'Coumba', 'Djeneba',
  'Fanta', 'Hawa', 'Mariam', 'Oumou', 'Ramata', 'Rokia', 'Salimata', 'Assa', 'Astou', 'Khady', 'Ndeye',
  'Ibrahima', 'Ousmane', 'Boubacar', 'Abdoulaye', 'Seydou', 'Souleymane',
  'Modibo', 'Cheikh', 'Babacar', 'Lamine', 'Alassane', 'Bakary', 'Sekou', 'Mamadi', 'Oumar', 'Idrissa',
  'Kwabena', 'Kojo', 'Yaw', 'Ama', 'Akosua', 'Abena', 'Efua', 'Chidi',   'Chukwuma', 'Emeka', 'Obinna', 'Ikenna', 'Ngozi', 'Chioma', 'Adaeze', 'Amaka', 'Nneka',   'Olumide', 'Babatunde', 'Adebayo', 'Ayodele', 'Folake', 'Funmilayo', 'Yetunde', 'Temitope', 'Tunde',
  'Femi', 'Segun', 'Kemi', 'Bisi', 'Abimbola', 'Wanjiru', 'Wanjiku', 'Njeri', 'Akinyi', 'Achieng',
  'Otieno', 'Ochieng', 'Kamau', 'Mwangi', 'Kipchoge', 'Abebe', 'Tigist', 'Selam', 'Hiwot', 'Meron',
  'Tesfaye', 'Dawit', 'Yonas', 'Ayaan', 'Hodan', 'Fadumo', 'Ubah', 'Abdirahman', 'Abdikarim',
  // Turkish, Kurdish, Persian
  'Emre', 'Elif', 'Zeynep', 'Ayşe', 'Ayse', 'Fatma', 'Merve', 'Esra', 'Ebru', 'Büşra', 'Busra', 'Derya',
  'Aylin', 'Ayla', 'Defne', 'Ece', 'Gizem', 'Selin', 'Melis', 'Nur', 'Burak', 'Cem', 'Deniz',
  'Eren', 'Furkan', 'Hakan', 'Kaan', 'Kerem', 'Mehmet', 'Murat', 'Mustafa', 'Ozan', 'Serkan', 'Tolga',
  'Volkan', 'Yasin', 'Baran', 'Rojin', 'Dilan', 'Shirin', 'Parisa', 'Maryam', 'Reza',
  'Dariush', 'Kourosh', 'Babak', 'Farhad', 'Arash', 'Siamak', 'Navid', 'Golnar', 'Roya', 'Mahsa',
  // Hispanic, Portuguese, Italian
  'Matías', 'Matias', 'Santiago', 'Sebastián', 'Sebastian', 'Alejandro', 'Diego', 'Javier',
  'Jorge', 'José', 'Jose', 'Juan', 'Luis', 'Miguel', 'Pablo', 'Rafael', 'Carlos', 'Francisco', 'Joaquín',
  'Emiliano', 'Iker', 'Hugo', 'Álvaro', 'Alvaro', 'Sergio', 'Raúl', 'Raul', 'Andrés', 'Andres', 'Jesús',
  'Guadalupe', 'Ximena', 'Valentina', 'Camila', 'Valeria', 'Mariana', 'Daniela', 'Gabriela', 'Lucía',
  'Lucia', 'Martina', 'Paula', 'Alba', 'Carmen', 'Pilar', 'Rocío', 'Rocio', 'Inés', 'Ines', 'Beatriz',
  'Catalina', 'Fernanda', 'Renata', 'Paola', 'Yesenia', 'Yolanda', 'João', 'Joao', 'Gonçalo',
  'Rodrigo', 'Duarte', 'Afonso', 'Beatriz', 'Leonor', 'Matilde', 'Inês', 'Chiara', 'Francesca',
  'Alessandra', 'Federica', 'Martina', 'Giorgia', 'Elisa', 'Alessandro', 'Lorenzo', 'Matteo', 'Leonardo',
  'Francesco', 'Giuseppe', 'Giovanni', 'Luca', 'Marco', 'Andrea', 'Stefano', 'Davide', 'Riccardo',
  // Slavic, Baltic, Greek, Romanian
  'Aleksandra', 'Agnieszka', 'Katarzyna', 'Małgorzata', 'Magdalena', 'Natalia', 'Olga', 'Oksana',
  'Svetlana', 'Tatiana', 'Yulia', 'Irina', 'Ekaterina', 'Anastasia', 'Daria', 'Milena', 'Zuzana',
  'Piotr', 'Paweł', 'Pawel', 'Krzysztof', 'Wojciech', 'Łukasz', 'Lukasz', 'Mateusz', 'Jakub',
  'Dmitri', 'Dmitry', 'Sergei', 'Sergey', 'Vladimir', 'Alexei', 'Andrei', 'Mikhail', 'Nikolai', 'Oleg',
  'Yuri', 'Ivan', 'Bogdan', 'Mihai', 'Ionut', 'Andreea', 'Ioana', 'Georgios', 'Dimitris', 'Konstantinos',
  'Eleni', 'Katerina', 'Vasiliki',
  // East and South-East Asian, romanised
  'Wei', 'Jing', 'Li', 'Ming', 'Xiaoming', 'Xiaoli', 'Yan', 'Ying', 'Hui', 'Jun', 'Hao', 'Jie', 'Lei',
  'Yong', 'Zhen', 'Ling', 'Fang', 'Xin', 'Yu', 'Hiroshi', 'Takeshi', 'Kenji', 'Haruto', 'Yuto',
  'Sota', 'Ren', 'Yuki', 'Yuko', 'Keiko', 'Akiko', 'Sakura', 'Aiko', 'Emi', 'Minh',   'Linh', 'Thu', 'Huong', 'Tuan', 'Duc', 'Quang', 'Thanh', 'Ji-woo', 'Ji-hoon', 'Min-jun', 'Seo-yeon',
  'Soo-jin', 'Hyun', 'Jae', 'Jin', 'Eun', 'Nguyen', 'Somchai', 'Siriporn', 'Maria', 'Jose', 'Rizal',
];
