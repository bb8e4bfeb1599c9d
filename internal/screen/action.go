package screen

import "fmt"

// Action is what happens to a call before the phone rings.
type Action uint8

// Actions. The zero Action is not a decision; Policy treats it as "use the
// default".
const (
	Allow     Action = iota + 1 // ring the phone
	Block                       // refuse the call; the phone never rings
	Challenge                   // ask the caller to say their name, then let the person decide
)

// String returns "allow", "block" or "challenge".
func (a Action) String() string {
	switch a {
	case Allow:
		return "allow"
	case Block:
		return "block"
	case Challenge:
		return "challenge"
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// ParseAction reads "allow", "block" or "challenge".
func ParseAction(s string) (Action, error) {
	switch s {
	case "allow":
		return Allow, nil
	case "block":
		return Block, nil
	case "challenge":
		return Challenge, nil
	}
	return 0, fmt.Errorf("parse action: %q is not allow, block or challenge", s)
}

// MarshalText writes the action's name, for JSON and TOML.
func (a Action) MarshalText() ([]byte, error) {
	if a < Allow || a > Challenge {
		return nil, fmt.Errorf("marshal action: invalid action %d", uint8(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText reads an action's name.
func (a *Action) UnmarshalText(b []byte) error {
	v, err := ParseAction(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
