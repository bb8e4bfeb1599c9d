// Package numplan reads telephone numbers and judges them against the
// numbering plan, for screening caller IDs.
//
// It owns: parsing numbers as people and networks write them into one
// compact international form (Number), classifying a number as valid or not
// and of what kind (mobile, landline, premium rate…), and the UK facts that
// go with numbers (Ofcom's drama ranges).
//
// Every answer is the answer of the maintained library
// github.com/nyaruka/phonenumbers: common forms are read by a hand-written
// fast path and validity is looked up in automata compiled from the
// library's own metadata, and tests and fuzz tests hold both to the
// library's results. It never logs, never does I/O and keeps no mutable
// global state.
package numplan
