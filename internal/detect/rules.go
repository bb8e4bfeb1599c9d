package detect

// The catalogue of tactics. Each tactic is what fraudsters do, as police
// and banks describe it, written as several phrasings so that an unseen
// script using the same tactic still matches. Rules describe tactics, not
// the sentences of any one call.

// Kind groups tactics for the combination logic in verdict.go.
type Kind uint8

const (
	KindAuthority Kind = iota + 1 // who the caller claims to be
	KindStory                     // the pretext: compromised account, arrest, virus...
	KindRequest                   // what they ask the person to do or give
	KindPressure                  // secrecy, threats, urgency, the call-back trick
	KindLure                      // too-good-to-be-true offers
	KindReassure                  // what genuine callers say ("we will never ask for your PIN")
	KindDiscuss                   // talk about scams rather than a scam ("scammers pretend to be...")
)

// tactic is one entry of the catalogue.
type tactic struct {
	id   string // stable name in JSON output, e.g. "request:withdraw-cash"
	kind Kind
	// strong requests are things no genuine cold caller ever asks for
	// (a PIN, cash for a courier, vouchers); one is enough for a verdict
	// of scam once the caller has also claimed authority or told a story,
	// and alone it is at least suspicious.
	strong bool
	// soft requests (name, date of birth, "verify some details") are what
	// genuine surgeries and councils ask too: they make a scam with a
	// story or pressure, not with a claim of authority alone.
	soft bool
	// says describes the tactic for the explanation: "a police officer"
	// for an authority, "your account or card was at risk" for a story,
	// "withdraw cash" for a request.
	says string
	// advice is the sentence the warning ends with for a request or
	// pressure tactic; the first non-empty one in catalogue order wins.
	advice string
	// warning names the in-call spoken warning prompt suited to the tactic.
	warning  string
	weight   float64 // contribution to the risk score
	patterns []string
	// directed and negatable apply to all the tactic's patterns; see pattern.
	directed, negatable bool
}

const (
	adviceCash     = "The police and your bank will never ask you to withdraw cash, buy valuables or hand anything to a courier."
	advicePIN      = "Your bank and the police will never ask for your PIN, on the phone or on the keypad."
	adviceCode     = "Never read out a code sent to your phone; it lets someone into your account."
	adviceCard     = "Never give card or bank details to someone who has called you."
	adviceSafe     = "Your bank will never ask you to move money to a safe account."
	adviceVouchers = "No real organisation asks to be paid in vouchers or gift cards."
	advicePay      = "Real officials do not demand payment on the phone or threaten arrest."
	adviceComputer = "Never let a caller take control of your computer."
	adviceInvest   = "Guaranteed high returns are a sign of fraud."
	adviceCallback = "To check a call, hang up, wait five minutes and call a number you know, from another phone if you can."
	adviceSecret   = "A real officer or bank will never ask you to keep a call secret from your family or the bank."
	adviceGeneric  = "Never give money or details to someone who has called you."
)

// Shared word lists, so the same notion is spelled once.
const (
	wMoney    = "cash|money|savings|pounds|thousand|hundred|grand|funds|it|them|the lot|everything|euros|dollars|foreign currency|currency|travel money|#num"
	wWithdraw = "withdraw|withdrew|draw out|draw|take out|take|took|get out|bring out|get"
	// wCollect is taking something away; coming to the door alone is what
	// every delivery driver does, so visits are not in it.
	wCollect   = "collect|pick up|pick it up|pick them up|come and get|get it from you|get the money|get it off you|come and collect|come for it|come for the"
	wFetcher   = "courier|driver|officer|officers|colleague|colleagues|agent|representative|man|woman|someone|somebody|person|taxi|taxi driver|cab|cabbie|solicitor|plain clothes|runner|associate|member of our team|one of our team|one of my team|security guard|delivery driver|uber|uber driver|cab driver"
	wCred      = "passcode|password|security code|card number|long number|card details|cvv|cvc|three digits|three digit|expiry|sort code|account number|bank details|login|log in details|memorable word|security number|credit card number|debit card number|routing number|last four digits|last 4 digits|full card number|digits on the back|numbers on the back|number on the front|number across the front|card reader|pinsentry|online banking password|banking details"
	wGive      = "tell|give|read|read out|enter|type|key|key in|say|confirm|write down|need|want|provide|put|tap|share|send|verify|repeat|ask|asking|asked|let me have"
	wVoucher   = "voucher|giftcard|itunes|steam|google play|play card|apple card|apple gift|amazon card|amazon voucher|paysafe|ukash|prepaid card|store card"
	wValuables = "gold|bullion|gold coins|gold bars|rolex|watch|watches|jewellery|jewelry|diamond|diamonds|valuables|bitcoin|crypto|cryptocurrency|sovereigns|krugerrand|krugerrands|precious metal|precious metals|silver bars|luxury watch|luxury watches"
	wPolice    = "police|detective|constable|sergeant|inspector|officer|pc|dc|ds|di|cid|metropolitan|scotland yard|fraud squad|economic crime|serious fraud|national crime agency|action fraud|crime unit|cyber crime|the met|met police|fraud unit|fraud office|financial investigator|investigating officer"
	wBank      = "bank|barclays|lloyds|hsbc|natwest|nationwide|santander|halifax|monzo|starling|tsb|rbs|metro bank|first direct|virgin money|coop bank|building society|revolut|visa|mastercard|card provider|card company|credit card company|fraud team|fraud department|security department|security team|fraud prevention|fraud desk|fraud line|security line|fraud services|account protection|protection team|financial crime team|fraud advisor|fraud adviser|card services|fraud and security|bank of scotland|ulster bank|clydesdale|yorkshire bank|bank of ireland|chase|co op bank|cooperative bank|sainsburys bank|tesco bank|american express|amex|capital one|barclaycard"
	// wSomewhereSafe is where a "safe account" story sends the money.
	wSomewhereSafe = "somewhere safe|somewhere they cant|somewhere the criminals|somewhere the fraudsters|somewhere nobody|somewhere no one|somewhere else safe|somewhere secure|out of reach|out of their reach|where they cant|where it is safe|where its safe|for safekeeping|into safekeeping|keep it safe|to protect it|to safety"
)

// catalogue lists every tactic. Order matters only for advice: requests
// are listed from the most to the least specific.
var catalogue = []tactic{
	// --- Who the caller claims to be ---------------------------------
	{id: "authority:police", kind: KindAuthority, says: "a police officer", weight: 0.6, patterns: []string{
		"this is|its|it is|im|i am|my name is|name is|calling from|from|hello|hi|morning|afternoon|evening|here .. " + wPolice,
		"detective constable|detective sergeant|detective inspector|police constable|police officer|police sergeant|police station|police department|police force|metropolitan police|scotland yard|from the police|police investigation|fraud squad|economic crime unit|serious fraud office",
		"we are|were|i work|i work for|im with|i am with .. the police|police|fraud squad|economic crime",
		"police|metropolitan police|fraud squad .. here|calling|speaking",
		"badge number|my warrant card|police warrant card|warrant number|collar number|shoulder number|my badge|police badge",
	}},
	{id: "authority:bank", kind: KindAuthority, says: "from your bank", weight: 0.5, patterns: []string{
		"this is|its|it is|im|i am|calling from|from|here|hello|calling on behalf of|on behalf of|speaking from .. " + wBank,
		"your bank|bank .. fraud team|fraud department|security department|security team|fraud prevention|fraud desk|security line",
		"from the|from your|at your|bank|banks .. fraud team|fraud department|security department|fraud prevention team",
	}},
	{id: "authority:tax", kind: KindAuthority, says: "from HMRC or the tax office", weight: 0.5, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of .. hmrc|tax office|revenue|revenue and customs|tax department|irs|inland revenue|tax authority|treasury",
		"hmrc|tax office|revenue and customs|inland revenue|irs .. here|calling|speaking|department|officer",
	}},
	{id: "authority:court", kind: KindAuthority, says: "from a court or bailiffs", weight: 0.5, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of .. court|courts|bailiff|bailiffs|enforcement|debt collection|magistrates|crown court|ministry of justice",
		"solicitor|lawyer|barrister|legal representative|duty solicitor .. representing|acting for|on behalf of|for your",
	}},
	{id: "authority:government", kind: KindAuthority, says: "from a government department", weight: 0.4, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of .. dwp|department for work|government|home office|pension service|social security|national insurance|benefits office|nhs|dvla|passport office|ofcom|council tax|energy rebate|council|financial conduct authority|fca|ofgem|trading standards",
	}},
	{id: "authority:retailer", kind: KindAuthority, says: "from Amazon or another shop", weight: 0.4, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of .. amazon|ebay|paypal|apple|argos|currys",
	}},
	{id: "authority:tech-support", kind: KindAuthority, says: "from Microsoft or computer support", weight: 0.5, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of|with .. microsoft|windows support|windows security|windows technical|technical support|tech support|computer support|apple support|norton|mcafee|geek squad|it department|help desk|helpdesk",
		"calling from|from the|from .. windows",
	}},
	{id: "authority:telecom", kind: KindAuthority, says: "from your phone or broadband company", weight: 0.4, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of .. bt|openreach|broadband|internet provider|internet service|virgin media|sky|talktalk|vodafone|ee|o2|plusnet|phone company|telephone company|line provider",
	}},
	{id: "authority:utility", kind: KindAuthority, says: "from your energy or water company", weight: 0.4, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of .. electricity|gas|energy|water|british gas|edf|eon|octopus|ovo|utility|power company|electric company",
	}},
	{id: "authority:delivery", kind: KindAuthority, says: "from a delivery company", weight: 0.3, patterns: []string{
		"this is|its|from|calling from|im|i am|calling on behalf of|on behalf of .. royal mail|post office|parcelforce|dpd|dhl|hermes|evri|ups|fedex|customs",
	}},
	{id: "authority:family", kind: KindAuthority, says: "a member of your family in trouble", weight: 0.5, patterns: []string{
		"nan|gran|granny|grandma|grandad|grandpa|mum|mom|dad|mummy|daddy|auntie|uncle ... its me|it is me|this is me",
		"its me|it is me .. your grandson|your granddaughter|your son|your daughter|your nephew|your niece",
		"its me|it is me ... in trouble|new number|lost my phone|broke my phone|been arrested|in hospital|had an accident|been in a crash|in a crash|police station",
	}},

	// --- The story ------------------------------------------------------
	{id: "story:account-compromised", kind: KindStory, says: "your account or card was at risk", weight: 0.5, patterns: []string{
		"!account|card|bank|savings|money|details|accounts|identity|email|emails|phone|pension .. compromised|copied|cloned|hacked|targeted|at risk|breached|stolen|frozen|used|misused|accessed|fraudulent|suspicious|in danger|not safe|unsafe|locked|suspended|blocked|restricted",
		"suspicious|fraudulent|unusual|unauthorised|unauthorized .. activity|transaction|transactions|payment|payments|login|log in|purchase|access|charge|withdrawal",
		"payments|money|someone|somebody .. going out|taking money|leaving|using your|spending|draining",
		"staff|cashier|cashiers|someone at|somebody at|employee|employees|insider|teller .. stealing|helping|involved|corrupt|in on it|taking money|working with",
		"illegal activity|criminal activity|money laundering|counterfeit|fake notes|forged notes",
		"criminals|fraudsters|hackers|scammers|someone|somebody .. are|is|have been|has been|been .. using your|accessing your|trying to|targeting your|into your|emptying|taking money from",
		"used fraudulently|used by criminals|being used by|linked to money|linked to fraud|linked to criminal",
	}},
	{id: "story:arrest", kind: KindStory, says: "someone had been arrested", weight: 0.5, patterns: []string{
		"arrest|arrested|custody|detained|caught|charged .. man|woman|someone|somebody|gang|suspect|criminals|person|him|her|grandson|granddaughter|son|daughter|two people|people",
		"have arrested|weve arrested|has been arrested|been arrested|made an arrest|made arrests",
		"grandson|granddaughter|son|daughter|nephew|niece|he|she .. is|has been|was|been .. in custody|arrested|detained|in a cell|in jail|in prison",
	}},
	{id: "story:investigation", kind: KindStory, says: "there was a secret investigation", weight: 0.4, patterns: []string{
		"undercover|under cover|covert|secret .. investigation|operation|inquiry|enquiry",
		"help|assist .. with|us with|in .. investigation|operation|inquiry|enquiry|case",
		"for evidence|as evidence|be examined|forensic|fingerprints|marked notes|serial numbers",
	}},
	{id: "story:virus", kind: KindStory, says: "your computer or internet had a problem", weight: 0.4, patterns: []string{
		"computer|laptop|pc|internet|router|ip address|device|connection .. virus|hacked|infected|error messages|errors|malware|compromised|problem|issue|suspended|disconnected",
		"virus|malware|hackers|hacker .. computer|laptop|account|internet",
	}},
	{id: "story:refund", kind: KindStory, says: "you were owed a refund or a prize", weight: 0.4, patterns: []string{
		"overcharged|refund|rebate|compensation|owed money|due a refund|cashback|reimbursement|reimburse",
		"won|winner|prize|lottery|sweepstake|reward|selected for|jackpot",
		"selected to receive|chosen to receive|been selected|been chosen|randomly selected|randomly chosen|congratulations|youve won|you have won|free gift",
	}},
	{id: "story:debt", kind: KindStory, says: "you owed money or a penalty", weight: 0.4, patterns: []string{
		"outstanding|unpaid|overdue .. penalty|fine|fee|tax|bill|debt|balance|amount|payment",
		"penalty|arrears|owe|debt|tax bill|tax evasion|underpaid|unpaid tax",
		"unable to deliver|missed delivery|could not deliver|held at customs|customs fee|redelivery fee",
		"customs .. holding|held|hold|seized|stopped|charge|charging",
	}},
	{id: "story:order", kind: KindStory, says: "an order had been placed on your account", weight: 0.4, patterns: []string{
		"order|purchase|subscription|payment .. placed|made|renewed|charged|taken|on your account|authorised|authorized|approved|attempted|flagged",
		"has been|was|is being|have been .. authorised|authorized|processed|charged to",
	}},
	{id: "story:family-emergency", kind: KindStory, says: "a relative was in trouble", weight: 0.5, patterns: []string{
		"in trouble|in a crash|had an accident|been in an accident|been arrested|in hospital|in custody|need bail|locked up",
		"your grandson|your granddaughter|your son|your daughter|your nephew|your niece .. accident|hospital|custody|arrested|trouble|crash",
		"in a mess|in a bit of a mess|in a bit of trouble|in real trouble|crashed the car|crashed my car|been mugged|got mugged|kicked out|evicted|stranded|stuck abroad|stuck overseas|oil rig",
	}},
	{id: "story:new-number", kind: KindStory, says: "they were a relative calling from a new or borrowed phone", weight: 0.4, patterns: []string{
		"lost|dropped|broke|broken|smashed|cracked|new .. my phone|my mobile|phone|mobile",
		"using|on|borrowed .. my mates|a mates|a friends|my friends|someone elses|a borrowed .. phone|mobile",
		"new number|new phone number|changed my number",
	}},
	{id: "story:id-suspended", kind: KindStory, says: "your national insurance or benefits had been suspended", weight: 0.5, patterns: []string{
		"national insurance|ni number|social security|ssn|pension|benefits|tax code|identity .. suspended|cancelled|blocked|misused|compromised|frozen|stolen|stopped|expired",
	}},

	// --- What they ask for (most specific first) -----------------------
	{id: "request:courier", kind: KindRequest, strong: true, says: "hand cash or your card to a courier", advice: adviceCash, warning: "cash", weight: 1.2, patterns: []string{
		wFetcher + " .. will|would|can|is going to|going to|shall|to|coming to|come to|be round to|arrive to .. " + wCollect,
		"send|sending|sent .. " + wFetcher + " .. to|round|over",
		"!" + wCollect + " .. it|them|cash|money|card|cards|envelope|gold|watch|from you|from your|from your home|from your house|from your door",
		"give|hand|pass .. it|them|money|cash|card|envelope .. to the courier|to our courier|to the driver|to our officer|to the officer|to my colleague|to the man|to him|to her|when he arrives|when she arrives|when they arrive",
		"courier .. when he|when she|to collect|will collect|arrives",
		"!come round|pop round|come by|call round|come over|pop by|call by|be round|come to your door|come to your house ... pick it up|collect it|collect them|collect the|get it off you|get the money|get the cash|for the money|for the cash|take it|take them|take the money|take the cash|the envelope|for safekeeping|into safekeeping",
		wFetcher + " .. will|would|can|is going to|going to|shall .. take|take it|take them|take the|keep .. it|them|the money|the cash|the card|the envelope|the watch|the gold|into safekeeping|for safekeeping|for evidence",
	}, directed: false},
	{id: "request:hand-over-card", kind: KindRequest, strong: true, says: "hand over your card, cash or valuables", advice: adviceCash, warning: "cash", weight: 1.0, patterns: []string{
		"card|cards|bank card .. in an envelope|in the envelope|into an envelope|in a sealed envelope|ready for|ready in|ready to",
		"envelope .. with your|with the|and your|containing .. card|pin|cash|money",
		"put|place|pop|leave|seal .. card|cards|pin|cash|money|it|them ... envelope|envelopes",
		"seal it|seal them|seal the envelope|seal it up|keep it sealed|keep the envelope sealed|keep them sealed",
		"ready in an envelope|ready in the envelope|in an envelope ready|in an envelope for|in the envelope for",
		"cut|cut up .. card .. envelope|collect|courier|chip|in half|in two",
		"post|send|mail .. the card|your card|the cards|your cards|cash|money|your pin .. to us|to our|back to us|to me",
		"hand|give|pass .. over|across .. card|cards|cash|money",
		"hand|give .. them|it|card|cards|coins|gold|cash|money .. to our|to the|over to|over .. officer|courier|colleague|driver",
	}, directed: true, negatable: true},
	{id: "request:withdraw-cash", kind: KindRequest, strong: false, says: "withdraw cash", advice: adviceCash, warning: "cash", weight: 0.8, patterns: []string{
		"!withdraw|withdrew|draw out|take out|get out .. " + wMoney,
		"!withdraw|draw out .. some|all|the|your|a|as|five|ten|two|three|four|six|seven|eight|nine|twenty|large|larger",
		"!take|get|draw|bring .. cash|money|thousand|hundred|grand|pounds|savings .. out|out of|from the bank|from your account|from the branch",
		"go to|walk to|drive to|get to|visit .. the bank|the branch|your bank|your branch|the post office|the building society|a cash machine|the cashpoint ... withdraw|take out|draw|get|money|cash",
		"keep|store|hide .. cash|money|it .. at home|in the house|safe at home|under",
		"order|buy|get|exchange|change|convert .. euros|dollars|foreign currency|currency|travel money",
	}, directed: true, negatable: true},
	{id: "request:valuables", kind: KindRequest, strong: true, says: "buy gold or valuables", advice: adviceCash, warning: "cash", weight: 1.0, patterns: []string{
		"buy|purchase|get|invest in|convert .. " + wValuables,
		"use|put .. your savings|the money|your money|the cash .. to buy|into .. " + wValuables,
	}, directed: true, negatable: true},
	{id: "request:safe-account", kind: KindRequest, strong: true, says: "move your money to a 'safe' account", advice: adviceSafe, warning: "safe-account", weight: 1.2, patterns: []string{
		"~safe account|holding account|secure account|protected account|safety account|safe accounts",
		"new account|temporary account|account we|account that we|account weve|account in your name",
		"move|transfer|send|put|shift|pay .. money|savings|funds|everything|balance|it|pension|your money .. to|into|over to .. safe|secure|new|holding|protected|different|another|temporary .. account|accounts|wallet|bank account|one we",
		"move|moving|transfer|transferring|send|put|shift|moved|transferred .. money|savings|funds|everything|balance|it|the lot ... " + wSomewhereSafe,
		"transfer|move|send|shift .. your balance|your whole balance|the whole balance|your entire balance|all your money|all your savings|all of your money|all of your savings",
		"account .. we hold|held by|we control|on your behalf|weve opened|we have opened|weve set up|we have set up|set up for you|opened for you",
		"opened|set up|created .. a new account|new account for you|an account for you|an account in your name",
		"government wallet|secure wallet|safe wallet|holding wallet",
		"move|transfer|send|put|pay .. it|money|savings|funds|everything|balance .. to the account|into the account|to an account|into an account|to the details|to these details .. i give|ill give|we give|well give|i read|i provide|we provide|i send|ill send|details i|details we",
	}, directed: true, negatable: true},
	{id: "request:ignore-warning", kind: KindRequest, strong: true, says: "ignore the warning your bank or app shows", advice: adviceSafe, warning: "safe-account", weight: 1.2, patterns: []string{
		"ignore|ignore that|ignore the|disregard|dont worry about|do not worry about|dont pay attention to|pay no attention to|click past|tap past|skip .. warning|warnings|message|alert|pop up|popup|notification|fraud check|name doesnt match|doesnt match|not match",
		"warning|message|alert|pop up|popup|notification ... tap continue|press continue|click continue|hit continue|continue anyway|carry on anyway|ignore it|ignore that|just continue|just carry on",
		"~if the bank|if your bank|if the app|if your app|if the cashier|if they .. asks|ask|says|warns .. if|whether .. scam|someone|anyone .. say no|tell them no|just say no",
	}, directed: true, negatable: true},
	{id: "request:vouchers", kind: KindRequest, strong: true, says: "pay with vouchers or gift cards", advice: adviceVouchers, warning: "vouchers", weight: 1.2, patterns: []string{
		"buy|purchase|get|pay|pay in|pay with|settle|paid in|using|with|in .. " + wVoucher,
		"read|give|tell|send|call me back with|text|photograph|scratch .. code|codes|numbers|number .. on the back|on the card|on the cards|on them|on the voucher|of the cards|of the card",
		"numbers|codes .. on the|of the .. card|cards|voucher",
		"~payable in|paid in|pay in|pay with|payment in|payment by|in the form of|we accept|we take|accept payment in|take payment in .. " + wVoucher,
	}, directed: true, negatable: true},
	{id: "request:pin", kind: KindRequest, strong: true, says: "tell them your PIN", advice: advicePIN, warning: "pin", weight: 1.2, patterns: []string{
		wGive + " .. pin",
		"pin .. to confirm|to verify|for security|in the envelope|with the card|down",
		"write|wrote .. down .. pin",
		"your pin .. please|now",
	}, directed: true, negatable: true},
	{id: "request:keypad", kind: KindRequest, strong: true, says: "type numbers on your phone's keypad", advice: advicePIN, warning: "pin", weight: 1.2, patterns: []string{
		"enter|type|key|key in|tap|press|punch .. pin|digits|numbers|number|card number|code|details .. keypad|keys|buttons|handset|phone|telephone|keyboard",
		"using|on|with .. the keypad|your keypad|the buttons|your buttons|phone keypad|telephone keypad",
	}, directed: true, negatable: true},
	{id: "request:one-time-code", kind: KindRequest, strong: true, says: "read out a code sent to your phone", advice: adviceCode, warning: "code", weight: 1.2, patterns: []string{
		"code|passcode|one time|verification|otp|security code|number .. text|texted|sms|message|sent to you|sent to your|on your phone|receive|received|just got",
		"text|texted|sms|message ... code|passcode|otp|number",
		"read|give|tell|say|confirm|repeat .. it|code|passcode|digits|number .. to me|out|back",
	}, directed: true, negatable: true},
	{id: "request:card-details", kind: KindRequest, strong: false, says: "give your card or bank details", advice: adviceCard, warning: "card", weight: 0.9, patterns: []string{
		wGive + " .. " + wCred,
		"card number|long number|security code|cvv|three digits|expiry date|sort code|account number|card details|bank details .. please|now|to confirm|to verify|for verification",
		"need|verify|confirm|get|have|provide|give|tell|take|read .. your .. bank account|account|credit card|debit card|card|bank|routing .. information|info|number|numbers|details|digits",
		wGive + " .. digits|number|numbers .. of your|on your .. card|credit card|debit card|account",
		"~i need|i just need|ill need|i will need|we need|we just need|well need|we will need|can i have|could i have|can i take|could i take|can i get|could i get|may i have|may i take|what is|whats|just|and|also|plus .. your|the .. " + wCred,
	}, directed: true, negatable: true},
	{id: "request:online-banking", kind: KindRequest, strong: false, says: "log in to your online banking for them", advice: adviceCard, warning: "card", weight: 0.9, patterns: []string{
		"log|login|log in|log into|sign|sign in|sign into|go into|access .. online banking|banking app|bank account|internet banking|your bank|your account|mobile banking",
		"open|use .. online banking|banking app|internet banking|mobile banking",
		"approve|accept|authorise|authorize|tap yes on .. notification|the request|the payment|it .. in your app|on your app|in the app|banking app|on your phone",
		"tap approve|press approve|click approve|tap accept|press accept|approve the request|approve the notification|accept the notification",
	}, directed: true, negatable: true},
	{id: "request:remote-access", kind: KindRequest, strong: true, says: "let them into your computer", advice: adviceComputer, warning: "computer", weight: 1.2, patterns: []string{
		"install|download|open|go to|visit|type in|run|allow|accept .. teamviewer|anydesk|logme|logmein|remote|quick support|quicksupport|ultraviewer|supremo|rustdesk|app|software|program|programme|website|application",
		"teamviewer|anydesk|logmein|ultraviewer|quicksupport|rustdesk|remote access|remote control|remote desktop|screen sharing",
		"connect|access|control|look at|see|get onto|get into|remote into|log into|dial into .. your computer|your laptop|your pc|your screen|your device|your tablet|your system|your machine|your files",
		"windows key|window key|windows button|key with the window|start button .. and r|r|type|press|hold",
		"open|go to|click|bring up|start .. event viewer|command prompt|run box|the run|control panel|task manager",
		"download|install|put on .. a program|the program|a programme|the programme|the software|some software|an app|the app|a tool|a small program|an application",
	}, directed: true, negatable: true},
	{id: "request:payment", kind: KindRequest, strong: false, says: "pay money straight away", advice: advicePay, warning: "payment", weight: 0.8, patterns: []string{
		"pay|paid|settle|payment|transfer|send|wire .. now|today|immediately|straight away|right away|by card|over the phone|within|tonight|bail|fine|fee|penalty|tax|charge|deposit|debt|to release|to avoid|to cancel|to clear",
		"bail|fine|fee|penalty|tax|deposit|debt|release fee|admin fee|processing fee|customs fee .. of|must be|needs to be|has to be|to be paid",
		"initial deposit|deposit of|invest|investment of|minimum investment",
		"pay for|pay the .. damage|bail|lawyer|solicitor|fine|release|hospital|fees",
		"pay|cover|settle|clear .. a bill|the bill|my bill|my rent|the rent|an invoice|the invoice|it|this .. for me|on my behalf",
		"bank transfer|wire transfer|western union|moneygram|money order",
		// Advance fees, named by the caller whoever they say pays them.
		"~bail|release fee|processing fee|admin fee|administration fee|customs fee|clearance fee|handling fee|transfer fee|unlock fee|bail money .. of|must be|needs to be|has to be|to be paid|is paid|upfront|first",
		"~fee|charge|payment|deposit ... to release|before we can release|to unlock|to process the|to claim|to receive your|to collect your|to release the",
		"~test payment|test transfer|verification payment|test transaction|trial payment",
		"make|send|transfer|pay|wire .. a payment|the payment|a transfer|the transfer|the money|it|hundred|thousand|pounds|#num ... to this account|into this account|to my account|into my account|to the account|to these details|to this number|to the details",
		// A plea for money ("I need eighteen hundred", "can you lend me").
		"~i need|i just need|i really need|ill need|i need the . hundred|thousand|pounds|money|grand|#num|some money|the money|cash",
		"~can you lend|could you lend|can you send|could you send|can i borrow|could i borrow|lend me|send me .. hundred|thousand|pounds|grand|#num|some money|the money",
	}, directed: true, negatable: true},
	{id: "request:invest", kind: KindRequest, strong: false, says: "invest money with them", advice: adviceInvest, warning: "investment", weight: 0.8, patterns: []string{
		"invest|transfer|move|put|put in|switch .. your pension|pension|savings|money|#num|thousand|isa .. into our|in our|with us|across to our|to our .. bond|fund|scheme|investment|portfolio|opportunity|platform|trading account",
		"minimum is|minimum investment|minimum of|minimum deposit|minimum stake",
	}, directed: true, negatable: true},
	{id: "request:personal-details", kind: KindRequest, strong: false, soft: true, says: "give personal details", advice: adviceCard, warning: "card", weight: 0.6, patterns: []string{
		wGive + " .. date of birth|national insurance number|ni number|pension reference|social security number|ssn|mothers maiden name|full name and address|personal details|personal information",
		"verify|confirm|check .. your identity|some information|some details|your information|your details|a few details",
		"~need to|have to|got to|must|going to need to|just need to . verify|confirm|check|take|update|go through .. some|a few|your .. information|details|identity|info|security",
		"~just|and|also|plus|i need|i just need|we need|can i have|could i have|can i get|what is|whats .. your .. social security number|ssn|date of birth|national insurance number|ni number|mothers maiden name|full name and address",
	}, directed: true, negatable: true},

	// --- Pressure -------------------------------------------------------
	{id: "pressure:secrecy", kind: KindPressure, says: "told you to keep it secret", advice: adviceSecret, warning: "secrecy", weight: 0.7, patterns: []string{
		"dont|do not|not to|mustnt|must not|never|cant|cannot|shouldnt|should not .. tell|discuss|mention|speak to|talk to|say anything|let .. anyone|anybody|bank|staff|cashier|family|dad|mum|mom|son|daughter|police|counter|teller|husband|wife|neighbours|people|anyone about|branch|parents|relatives|friends|grandson|granddaughter|children|kids|brother|sister|them the real|the real reason|the truth",
		"keep|this is|its .. secret|confidential|between us|between ourselves|quiet|sensitive case|sensitive matter|strictly private|to yourself",
		"if|when .. anyone|cashier|staff|bank|teller|someone|they .. asks|ask|question|questions ... say|tell them|its for|its a",
		"cover story|say its for|tell them its for|say it is for|tell them it is for",
		"gagging order|official secrets|non disclosure",
		"dont|do not|not to|mustnt|must not|never .. ring|call|phone|contact|speak with|talk with|go to|visit .. the bank|your bank|the branch|your branch|the police|your son|your daughter|your family|anyone at|the cashier|the staff",
		"between you and me|just between us|our secret|our little secret|no one else needs to know|nobody else needs to know|no one must know|nobody must know|keep it quiet|keep this quiet",
	}},
	{id: "pressure:cover-story", kind: KindPressure, says: "told you what to say if the bank asked what the money was for", advice: adviceSecret, warning: "secrecy", weight: 0.8, patterns: []string{
		"say|tell them|tell the cashier|tell the staff|tell the bank|tell the teller|just say .. its for|it is for|its to|its a|the money is for|youre|you are|you want it for|you need it for .. holiday|kitchen|car|building|builder|builders|work|present|wedding|family|house|renovation|caravan|relative|friend|new|gift|deposit|roof|garden|funeral|grandson|granddaughter",
		"cashier|teller|staff|bank|they|counter .. might|may|will|could|probably .. ask|question .. why|what|you what|what its for|what the money",
	}},
	{id: "pressure:threat", kind: KindPressure, says: "threatened you with arrest, court or being cut off", advice: advicePay, warning: "payment", weight: 0.7, patterns: []string{
		"or|unless|otherwise|if you dont|if not|if you do not|before|will be|or else|or you ... arrest|arrested|warrant|prosecution|prosecuted|bailiffs|disconnect|disconnected|cut off|jail|prison|court|legal action|police will|seized|frozen|deported|lose your",
		"avoid|face|facing .. prosecution|arrest|court|legal action|jail|prison|charges|fine",
		"warrant|bailiffs|arrest .. issued|will attend|will come|on their way|out for|for your arrest",
		"disconnect|cut off|suspend|terminate .. your|the .. supply|service|line|internet|electricity|gas|account|broadband",
	}},
	{id: "pressure:urgency", kind: KindPressure, says: "rushed you to act at once", weight: 0.3, patterns: []string{
		"right now|immediately|straight away|right away|within the hour|in one hour|in an hour|within an hour|urgent|urgently|as soon as possible|closes today|ends today|last chance|before its too late|limited time|limited number|time is running out|act now|today only|this afternoon|within twenty four hours|decide today|decide now|decide quickly|closes at midnight|closes tonight|ends tonight|offer ends|offer closes|only today|before midnight|places left|places are limited|limited places|next twenty four hours|within the next hour|by the end of today|one time offer",
	}},
	{id: "pressure:call-back-trick", kind: KindPressure, says: "told you to ring 999, 101, 161 or your bank to check who they were, which lets them keep the line open", advice: adviceCallback, warning: "callback", weight: 1.0, patterns: []string{
		"dial|call|ring|phone|press ... 999|101|161|112|105|159|911|nine nine nine|one oh one",
		"999|101|161|112|105|159 .. confirm|check|verify|prove|ask for|theyll|they will|put through|put you through|come straight back|through to me|connect you|transfer you",
		"confirm|check|verify|prove .. who i am|who we are|im real|i am real|im genuine|my identity|our identity|im a real|i am a real|im who i say|real officer|genuine officer",
		"not sure|dont believe|do not believe|doubt|worried .. real|genuine|who i am ... put|hang|call|dial|ring",
	}},
	{id: "pressure:stay-on-line", kind: KindPressure, says: "told you to stay on the line", advice: adviceCallback, warning: "callback", weight: 0.8, patterns: []string{
		"stay|keep|remain|hold .. on the line|on the phone|the line open|on hold|connected|with me",
		"dont|do not .. hang up|put the phone down|put the receiver down|end the call|cut me off|hang",
		"leave the phone|keep the phone .. off the hook|connected|open",
	}},
	{id: "pressure:no-dial-tone", kind: KindPressure, says: "told you not to worry about the dialling tone, so the call you made back went to them", advice: adviceCallback, warning: "callback", weight: 1.0, patterns: []string{
		"dont worry|do not worry|doesnt matter|does not matter|never mind|ignore|dont mind ... dialling tone|dialling|ringing tone|no tone",
		"dialling tone|ringing tone .. is normal|its normal|thats normal|doesnt matter|dont worry|is fine",
		"line|call .. still open|still connected|stays open|will stay open|wont cut off",
	}},
	{id: "pressure:press-to-connect", kind: KindPressure, says: "asked you to press a key to speak to someone", advice: adviceGeneric, warning: "generic", weight: 0.5, patterns: []string{
		"press|push|dial .. one|two|nine|zero|1|2|9|0 .. to speak|to talk|to be connected|to connect|to cancel|to stop|to dispute|to reach|for an|to be transferred",
	}},
	{id: "lure:guaranteed-return", kind: KindLure, says: "promised guaranteed returns", advice: adviceInvest, warning: "investment", weight: 0.8, patterns: []string{
		"guaranteed|guarantee|risk free|no risk .. return|returns|profit|profits|percent|income|scheme|investment|interest",
		"double your money|high returns|high return|crypto trading|trading platform|bitcoin investment|investment opportunity|exclusive opportunity|limited number of clients",
		"release|unlock|access .. pension|pension early",
		"capital protected|capital is protected|fully protected|cant lose|cannot lose|handful of|private investors|select investors|only a few places|exclusive offer|pension review|before fifty five|tax free cash",
		"famous|celebrity|seen on|mentioned on|mentioned by|endorsed .. television|tv|the telly|businessman|the news|dragons den",
		"percent|per cent .. a month|per month|every month|each month|a week|per week",
	}},

	// --- What genuine callers and worried relatives say -----------------
	{id: "reassure:never-ask", kind: KindReassure, weight: -1.0, patterns: []string{
		"^never|wont|will not|would never|dont|doesnt|do not|does not|not .. ask|asks|call|request|need .. pin|card number|password|details|cash|money|bank details|personal|financial|you to",
		"no real|a real|real .. bank|police|officer|organisation|company .. would never|never|does that|doesnt|would not|wouldnt",
		"nothing|no charge|no need|not anything|nothing for you .. to pay|charge|pay",
		"call|ring .. the number on the back|number on the back of your card|number on your statement|number you know|official number",
		"hang up and call me|call me first|ask me first|check with me|ring me first",
		"come in|come into|pop in|pop into|drop in|call in .. the branch|branch|and talk|and see|to see us|and discuss|for a chat|and speak",
		"would you like to come in|would you like to pop in|you are welcome to come in|your welcome to come in",
	}},
	// Genuine advice on checking a call: another phone, a wait, a number
	// you know. A call-back "trick" said with it is advice, not a trick.
	{id: "reassure:safe-callback", kind: KindReassure, weight: -0.5, patterns: []string{
		"different phone|another phone|a different line|another line|from a mobile|from your mobile|neighbours phone|wait five minutes|wait a few minutes|wait ten minutes",
		"call|ring|phone|dial|contact|calling|ringing ... number on the back|number you know|official number|number on your statement|number on the website|number on the letter|number on your card",
	}},
	{id: "discuss:scam-talk", kind: KindDiscuss, weight: -0.8, patterns: []string{
		"pretending|pretend|posing|claiming|claim .. to be",
		"fake|bogus|so called|impersonating|impersonate .. police|officers|officer|bank|callers|caller|couriers|engineers",
		"scam|scams|scammer|scammers|fraudster|fraudsters|con men|conmen|crooks|con artists|swindlers .. are|were|have been|keep|often|who|pretend|pretending|asking|ringing|calling|sending|tell|telling|sent",
		"scam awareness|how to spot|spot a scam|spot fraudsters|spot scams|beware|watch out for|look out for",
		"heard|hear|read|saw|see .. on the radio|on the news|in the paper|on facebook|on the telly|on tv|a leaflet|about a",
		"lost|lose .. thousand|hundred|pounds|her savings|his savings|their savings|money .. to|to fake|to scammers|to fraudsters|to a scam",
		"if anyone|if anybody|if someone|if somebody|if a caller|if they ever|if you ever get|if you get a call|anyone who|anybody who|someone who .... thats a scam|its a scam|is a scam|that is a scam|a scam|fraud|a con|a fraudster|fraudsters|criminals|hang up|put the phone down|ring me|call me|ring the police|call the police|report it|tell me",
		"thats a scam|thats fraud|thats a con|its a scam|its always a scam|is always a scam",
	}},
}
