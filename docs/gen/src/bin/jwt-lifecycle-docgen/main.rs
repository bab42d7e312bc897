//! `jwt-lifecycle-docgen`: writes and checks the generated pages of the book, and prints
//! the traceability matrix. Run from the repository as
//! `cargo run -p jwt-lifecycle-docgen -- <command>`.

mod generate;
mod matrix;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The generated pages of the jwt-lifecycle book (docs/spec.md, docs/src/rules/*,
/// docs/src/generated/*) and the traceability matrix.
#[derive(Parser, Debug)]
#[command(name = "jwt-lifecycle-docgen", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the generated pages and delete the ones no longer generated.
    Generate(generate::PagesArgs),
    /// Write nothing; exit 1 listing every file that differs from what `generate` would write.
    Check(generate::PagesArgs),
    /// The traceability matrix: requirement -> properties -> unit tests -> cases.
    Matrix(matrix::MatrixArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Generate(args) => generate::run(args, generate::Mode::Write),
        Command::Check(args) => generate::run(args, generate::Mode::Check),
        Command::Matrix(args) => matrix::run(args),
    }
}
