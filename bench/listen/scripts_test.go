package listen

// The calls of the measurement, written for it and independent of
// internal/asr/testdata (on which the keyword thresholds were tuned) and
// of internal/detect's data sets. One utterance per string; in a scam
// call the utterance starting with "*" is the first scam request (the
// latency is measured from the end of its speech). Each call is spoken by
// one flite voice, the voices taking turns.

type script struct {
	name   string // short id, e.g. "s01-police-courier"
	tactic string // what the call does (scam) or who calls (benign)
	scam   bool
	utts   []string
}

var voices = []string{"slt", "rms", "awb", "kal16"}

var scamScripts = []script{
	{name: "s01", tactic: "police + cash for a courier", scam: true, utts: []string{
		"Good afternoon, my name is detective constable Harris, I'm with the Metropolitan Police fraud unit.",
		"Staff at your local branch have been taking money from pensioners' accounts.",
		"*We'd like you to go to the bank this morning and withdraw two thousand pounds in cash.",
		"One of our officers will come round to your house to pick it up for fingerprint checks.",
	}},
	{name: "s02", tactic: "bank + card to a courier", scam: true, utts: []string{
		"Hello, I'm ringing from the fraud team at Barclays about your debit card.",
		"Someone in Manchester has been using a copy of your card all week.",
		"*Please put your card in an envelope, and our courier will come to your door to collect it within the hour.",
		"Keep this between us, and don't mention it to your family.",
	}},
	{name: "s03", tactic: "HMRC + vouchers", scam: true, utts: []string{
		"This is officer Green calling from HM Revenue and Customs.",
		"You have unpaid tax of nine hundred pounds and a penalty is now due.",
		"*You must pay today using Google Play vouchers from your nearest shop.",
		"Read me the numbers on the back of each card as soon as you have them.",
	}},
	{name: "s04", tactic: "bank + safe account", scam: true, utts: []string{
		"Hi, this is Sarah from the security department of your bank.",
		"We have spotted some unusual payments going out of your current account tonight.",
		"*To keep your savings protected you need to transfer everything into a new secure account we have opened for you.",
		"I will give you the sort code and account number now, so please do not hang up.",
	}},
	{name: "s05", tactic: "card company + PIN on the keypad", scam: true, utts: []string{
		"Hello, this is the fraud prevention line of your card provider.",
		"A payment of six hundred pounds to an online shop has just been blocked on your card.",
		"*To cancel it, please key in your four digit PIN on your telephone keypad now.",
		"Once you've done that, I'll send out a replacement card.",
	}},
	{name: "s06", tactic: "Microsoft + remote access", scam: true, utts: []string{
		"Hello, I'm calling from the Microsoft technical department about your internet.",
		"Your computer has a virus and hackers are stealing your information.",
		"*I need you to download a program called any desk so I can get remote access and fix it.",
		"Then we will look at your online banking together to make sure nothing was taken.",
	}},
	{name: "s07", tactic: "HMRC + arrest threat + payment", scam: true, utts: []string{
		"This is an automated message from HMRC about a case filed in your name.",
		"A warrant has been issued and the police will arrest you today for tax fraud.",
		"*To stop the arrest you must pay the outstanding amount over the phone right now.",
		"Do not put the phone down, or officers will be sent to your address.",
	}},
	{name: "s08", tactic: "police + call-back trick", scam: true, utts: []string{
		"Good morning, this is sergeant Collins at your local police station.",
		"We have a man in custody who had your bank details in his pocket.",
		"*If you want to check that I'm genuine, hang up and dial nine nine nine and ask for me.",
		"When you are back on the line, we will need your help with some cash.",
	}},
	{name: "s09", tactic: "police + gold", scam: true, utts: []string{
		"This is detective sergeant Price from the serious fraud office.",
		"We are running a secret operation against a gang of counterfeiters at your bank.",
		"*We need you to buy gold coins with your savings so that the notes can be traced.",
		"A colleague of mine will come to collect the gold from you tomorrow.",
	}},
	{name: "s10", tactic: "bank + cash withdrawal + secrecy", scam: true, utts: []string{
		"Hello, it's Mark from the fraud department at Lloyds.",
		"Your account has been hacked and there are transactions we didn't recognise.",
		"*Please take out five thousand pounds at the counter and bring it home with you.",
		"If the cashier asks, say it is for your grandson's car, because they may be involved.",
	}},
	{name: "s11", tactic: "Amazon + gift cards", scam: true, utts: []string{
		"Hi, this is Amazon customer services calling about an order on your account.",
		"Somebody has bought a phone for one thousand pounds using your details.",
		"*To get a refund, please buy Amazon gift cards worth three hundred pounds and tell me the codes.",
		"It's very urgent, the payment goes through at five o'clock.",
	}},
	{name: "s12", tactic: "crime agency + safe account", scam: true, utts: []string{
		"I'm detective inspector Khan from the national crime agency.",
		"Your bank account is being used by criminals to launder money.",
		"*You need to move all of your money to a safe account, which we will monitor.",
		"Don't tell anyone at the bank, they may be in on it.",
	}},
	{name: "s13", tactic: "card company + PIN + courier", scam: true, utts: []string{
		"Good evening, this is the fraud team at your card company.",
		"Your card was used at a cash machine in Leeds at two this morning.",
		"*Can you confirm your PIN for me by typing it on the keypad of your phone?",
		"A courier will then collect the card so we can check it for fingerprints.",
	}},
	{name: "s14", tactic: "broadband + remote access", scam: true, utts: []string{
		"Hello, this is BT, your broadband will be disconnected in the next hour.",
		"There is a security problem with your router and hackers are using your line.",
		"*Please turn on your computer and go to the website I give you so that I can take control of it.",
		"It will only take ten minutes and it costs you nothing.",
	}},
	{name: "s15", tactic: "tax office + arrest threat + transfer", scam: true, utts: []string{
		"Good morning, I am calling from the tax office about your self assessment.",
		"You owe two thousand pounds and there is now a warrant out for your arrest.",
		"*You have to settle the debt today by bank transfer, or the police will be at your door.",
		"Stay on the line while you make the payment.",
	}},
	{name: "s16", tactic: "bank + call-back trick", scam: true, utts: []string{
		"Hello, this is the security team at your bank, we've frozen your card.",
		"Someone tried to spend four hundred pounds on it this afternoon.",
		"*Put the phone down and call one oh one to check who I am, I will keep the line open for you.",
		"Then we'll go through moving your money somewhere it is protected.",
	}},
	{name: "s17", tactic: "police + savings to a driver", scam: true, utts: []string{
		"This is PC Morgan from Kent police, we have arrested a woman with your name on a list.",
		"We think she was working with someone at your bank branch.",
		"*We need you to draw out your savings and hand them to our driver, who will come round at four.",
		"This is a confidential investigation, so please tell no one.",
	}},
	{name: "s18", tactic: "court + iTunes cards", scam: true, utts: []string{
		"Hello, this is the enforcement office of the county court.",
		"You missed a court date and there is an unpaid fine in your name.",
		"*You can pay the fine with iTunes cards from the post office, five cards of one hundred pounds.",
		"If you don't pay today, bailiffs will come to take your furniture.",
	}},
	{name: "s19", tactic: "bank + temporary account", scam: true, utts: []string{
		"Hi there, I'm calling from Santander's fraud prevention team.",
		"Your online banking was accessed from abroad and your savings are at risk.",
		"*We have set up a temporary account for you, please transfer your savings into it today.",
		"Don't worry, you'll get all of it back once the fraud is stopped.",
	}},
	{name: "s20", tactic: "police + PIN on the keypad + courier", scam: true, utts: []string{
		"This is detective constable Ahmed from the police, about your bank card.",
		"We caught a gang cloning cards at the shop where you use yours.",
		"*Please enter your PIN on the telephone keypad so we can check it against their list.",
		"Then we will send a courier to take the card away as evidence.",
	}},
	{name: "s21", tactic: "refund + remote access", scam: true, utts: []string{
		"Hello, I'm from the refunds team at your internet provider.",
		"You were overcharged and we owe you two hundred pounds.",
		"*Please download the team viewer app so I can log in to your computer and pay the refund.",
		"Log in to your bank while I watch, and don't close the window.",
	}},
	{name: "s22", tactic: "Scotland Yard + cash by taxi", scam: true, utts: []string{
		"Hello, it's sergeant Hughes from the economic crime unit at Scotland Yard.",
		"There is an investigation into fake banknotes coming from your branch.",
		"*Go to the bank and get out four thousand pounds, then wait at home.",
		"A taxi will take the money to the station, so keep the phone by your side.",
	}},
}

var benignScripts = []script{
	{name: "b01", tactic: "GP surgery: test results", utts: []string{
		"Hello, this is Riverside medical practice calling for Mrs Patel.",
		"Doctor Evans has your blood test results and everything looks normal.",
		"She would like to see you in about six weeks for a routine review.",
		"Ring the surgery whenever it is convenient to book a time. Bye for now.",
	}},
	{name: "b02", tactic: "pharmacy: prescription", utts: []string{
		"Hi, it's the chemist on the high street.",
		"Your repeat prescription is ready to pick up at the counter.",
		"We can also deliver it on Thursday if that is easier for you.",
		"Just let us know, we're open until six.",
	}},
	{name: "b03", tactic: "daughter: lunch on Saturday", utts: []string{
		"Hello mum, it's Claire, how are you feeling after your cold?",
		"The kids loved the cake you made on Sunday.",
		"We'll come over on Saturday and take you out for lunch at the garden centre.",
		"Love you, speak soon.",
	}},
	{name: "b04", tactic: "delivery driver: missed parcel", utts: []string{
		"Hello, this is your driver from the parcel company.",
		"I have a parcel for you but nobody answered the door.",
		"I can leave it with your neighbour at number twelve, or bring it back tomorrow.",
		"I'll put a card through the letterbox. Thanks, bye.",
	}},
	{name: "b05", tactic: "plumber: boiler part", utts: []string{
		"Morning, it's Dave the plumber, about your boiler.",
		"The part came in today, so I can fit it on Friday morning.",
		"It should take about two hours, and the bill will be the same as I quoted.",
		"Give me a ring back if Friday doesn't suit.",
	}},
	{name: "b06", tactic: "bank: genuine new-card reminder", utts: []string{
		"Hello, this is a courtesy call from your bank about your new debit card.",
		"Your new card should arrive in the post within five working days.",
		"Remember, we will never ask for your PIN or ask you to move money over the phone.",
		"If you have any questions, please call the number on the back of your card.",
	}},
	{name: "b07", tactic: "friend: cash for the coach trip", utts: []string{
		"Hello Joan, it's Betty from the church group.",
		"I'm going to the bank tomorrow to withdraw some cash for the coach trip to Bath.",
		"It's twenty pounds each, and the coach leaves the market square at nine.",
		"Shall I pay for yours too, and you can give it back to me on the day?",
	}},
	{name: "b08", tactic: "dentist: check-up reminder", utts: []string{
		"Hello, this is Smile dental practice with a reminder about your check up.",
		"It's on Monday the fourteenth at half past ten with Doctor Lee.",
		"If you need to change it, please give us a day's notice.",
		"Thank you and have a lovely afternoon.",
	}},
	{name: "b09", tactic: "grandson: driving test", utts: []string{
		"Hi grandma, it's Tom, I passed my driving test this morning!",
		"I can drive over and see you next week if you like.",
		"Mum says I should bring you some shopping, what do you need?",
		"Okay, see you Tuesday, love you.",
	}},
	{name: "b10", tactic: "hospital: eye clinic", utts: []string{
		"Good afternoon, this is the outpatients department at the general hospital.",
		"We're calling to confirm your eye clinic appointment next Wednesday at two.",
		"Please bring your glasses and a list of any medicines you take.",
		"Parking is free for patients in the blue car park.",
	}},
	{name: "b11", tactic: "council: garden waste", utts: []string{
		"Hello, this is the council about your garden waste collection.",
		"Your green bin will now be emptied every other Tuesday.",
		"You don't need to do anything, the new stickers will come in the post.",
		"Thank you for your time.",
	}},
	{name: "b12", tactic: "neighbour: shopping", utts: []string{
		"Hi, it's Pat from next door.",
		"I'm popping to the shops in a minute, do you need milk or bread?",
		"I can also take your library books back while I'm out.",
		"Right, I'll knock on your door in ten minutes.",
	}},
	{name: "b13", tactic: "energy supplier: smart meter", utts: []string{
		"Hello, I'm calling from your electricity supplier about a smart meter.",
		"We have an engineer in your area on the twentieth who could fit one for free.",
		"The visit takes about an hour and the power will be off for a few minutes.",
		"If you'd like to book, call us on the number on your bill.",
	}},
	{name: "b14", tactic: "garage: MOT passed", utts: []string{
		"Hello, it's the garage, your car has passed its MOT.",
		"We replaced one tyre and a wiper blade, so the total is ninety four pounds.",
		"You can pay by card when you come to pick it up.",
		"We're here until half five today.",
	}},
	{name: "b15", tactic: "friend: talks about a scam call", utts: []string{
		"Hello love, it's Margaret, did you hear what happened to Doris?",
		"Somebody rang her pretending to be from the police and asked her for money.",
		"Luckily she put the phone down and rang her son straight away.",
		"Anyway, are you still coming to bingo on Thursday?",
	}},
	{name: "b16", tactic: "hairdresser: cancellation", utts: []string{
		"Hi, it's Lisa from the salon.",
		"We've had a cancellation tomorrow at eleven if you'd like your hair done earlier.",
		"It would be a wash and set as usual.",
		"Let me know and I'll pencil you in.",
	}},
	{name: "b17", tactic: "taxi firm: booking", utts: []string{
		"Hello, this is Star Cars confirming your taxi for Friday.",
		"The driver will pick you up at nine fifteen to take you to the station.",
		"He'll ring you when he's outside your house.",
		"The fare will be about twelve pounds.",
	}},
	{name: "b18", tactic: "son: paid back a loan", utts: []string{
		"Hi dad, it's James.",
		"Thanks for lending me the money for the car, I've paid it back into your account today.",
		"You should see it on your bank statement on Monday.",
		"We'll see you at Christmas, the kids can't wait.",
	}},
	{name: "b19", tactic: "optician: glasses back", utts: []string{
		"Hello, it's the opticians on Bridge Street, your varifocals have come back from the lab.",
		"You can come and get them any day this week before half past five.",
		"Bring your old pair so we can check the fit.",
		"See you soon.",
	}},
	{name: "b20", tactic: "insurer: genuine renewal reminder", utts: []string{
		"Good morning, this is your home insurance company with a renewal reminder.",
		"Your policy renews on the first of next month at the same price as last year.",
		"You don't need to do anything, and we won't ask for any card details on this call.",
		"Thanks for being a customer with us.",
	}},
}
