//go:build !cgo || nosphinx

package sphinx

// Built reports whether this binary includes the pocketsphinx binding.
const Built = false

// Model is a prepared decoder configuration; without pocketsphinx none
// can be made.
type Model struct{}

// Prepare returns ErrNotBuilt: this binary has no pocketsphinx.
func Prepare(Options) (*Model, error) { return nil, ErrNotBuilt }

// Args returns nil.
func (m *Model) Args() []string { return nil }

// Close does nothing.
func (m *Model) Close() error { return nil }

// NewDecoder returns ErrNotBuilt.
func (m *Model) NewDecoder() (*Decoder, error) { return nil, ErrNotBuilt }

// Decoder is a pocketsphinx decoder; without pocketsphinx none exists and
// every method fails.
type Decoder struct{}

// StartUtt returns ErrNotBuilt.
func (d *Decoder) StartUtt() error { return ErrNotBuilt }

// Process returns ErrNotBuilt.
func (d *Decoder) Process([]int16) error { return ErrNotBuilt }

// EndUtt returns ErrNotBuilt.
func (d *Decoder) EndUtt() error { return ErrNotBuilt }

// InUtt reports false.
func (d *Decoder) InUtt() bool { return false }

// Hyp returns "".
func (d *Decoder) Hyp() string { return "" }

// Words returns nil.
func (d *Decoder) Words() []Word { return nil }

// ResetCMN does nothing.
func (d *Decoder) ResetCMN() {}

// Close does nothing.
func (d *Decoder) Close() error { return nil }

// CMN returns nil.
func (d *Decoder) CMN() []float64 { return nil }
