package numplan

// DramaRange is a block of UK numbers Ofcom reserves for use in TV and
// radio drama. They are never allocated to anyone, so no genuine call can
// come from one; a caller presenting one has made the number up.
type DramaRange struct {
	Area     string
	From, To Number
}

// dramaRanges is Ofcom's list, "Telephone numbers for use in TV and radio
// drama" (https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama),
// sorted by From. Each block is 1,000 numbers.
var dramaRanges = [...]DramaRange{
	{"Leeds", 441134960000, 441134960999},
	{"Sheffield", 441144960000, 441144960999},
	{"Nottingham", 441154960000, 441154960999},
	{"Leicester", 441164960000, 441164960999},
	{"Bristol", 441174960000, 441174960999},
	{"Reading", 441184960000, 441184960999},
	{"Birmingham", 441214960000, 441214960999},
	{"Edinburgh", 441314960000, 441314960999},
	{"Glasgow", 441414960000, 441414960999},
	{"Liverpool", 441514960000, 441514960999},
	{"Manchester", 441614960000, 441614960999},
	{"no area (01632)", 441632960000, 441632960999},
	{"Tyneside, Durham and Sunderland", 441914980000, 441914980999},
	{"London", 442079460000, 442079460999},
	{"Northern Ireland", 442896496000, 442896496999},
	{"Cardiff", 442920180000, 442920180999},
	{"UK-wide (03)", 443069990000, 443069990999},
	{"mobile (07700 900)", 447700900000, 447700900999},
	{"freephone (08081 570)", 448081570000, 448081570999},
	{"premium rate (0909 879)", 449098790000, 449098790999},
}

// DramaRanges returns a copy of Ofcom's drama ranges.
func DramaRanges() []DramaRange { return append([]DramaRange(nil), dramaRanges[:]...) }

// Drama returns the drama range holding n, if any.
func Drama(n Number) (DramaRange, bool) {
	if n < dramaRanges[0].From || n > dramaRanges[len(dramaRanges)-1].To {
		return DramaRange{}, false
	}
	lo, hi := 0, len(dramaRanges)
	for lo < hi {
		m := (lo + hi) / 2
		if dramaRanges[m].To < n {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(dramaRanges) && dramaRanges[lo].From <= n {
		return dramaRanges[lo], true
	}
	return DramaRange{}, false
}
