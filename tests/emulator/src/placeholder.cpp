// Placeholder so the emulator library has a source until the real ones land.
namespace emu {
int placeholder() { return 0; }
}  // namespace emu
