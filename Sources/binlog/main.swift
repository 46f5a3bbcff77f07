// The `binlog` executable: hands the command line to BinlogCLI.
import BinlogCLI

BinlogCommand.runMain()
