//! Colour on a terminal only: ANSI styles when the stream is a TTY and `NO_COLOR` is not set
//! (<https://no-color.org>), or when `--color always` asks for them.

use std::io::IsTerminal;

use clap::ColorChoice;

/// Whether to colour one output stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    color: bool,
}

impl Style {
    /// For standard output.
    pub(crate) fn stdout(choice: ColorChoice) -> Self {
        Self::decide(choice, std::io::stdout().is_terminal())
    }

    /// For standard error.
    pub(crate) fn stderr(choice: ColorChoice) -> Self {
        Self::decide(choice, std::io::stderr().is_terminal())
    }

    fn decide(choice: ColorChoice, terminal: bool) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color(),
        };
        Self { color }
    }

    /// Whether this stream is a terminal that gets colour.
    pub(crate) fn is_color(self) -> bool {
        self.color
    }

    fn paint(self, sgr: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub(crate) fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub(crate) fn green_bold(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    pub(crate) fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub(crate) fn red_bold(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    pub(crate) fn yellow(self, text: &str) -> String {
        self.paint("33", text)
    }

    pub(crate) fn yellow_bold(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    pub(crate) fn cyan(self, text: &str) -> String {
        self.paint("36", text)
    }

    pub(crate) fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub(crate) fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// `NO_COLOR` present and not empty.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_without_colour() {
        let style = Style::decide(ColorChoice::Never, true);
        assert_eq!(style.red("x"), "x");
        let style = Style::decide(ColorChoice::Always, false);
        assert_eq!(style.red("x"), "\x1b[31mx\x1b[0m");
        assert!(!Style::decide(ColorChoice::Auto, false).is_color());
    }
}
