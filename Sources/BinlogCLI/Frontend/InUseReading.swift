// Reading a file that may still be being written.
import MySQLBinlog

extension PrefetchingEventReader {
    /// The next event, or nil at the end of the file. A file still marked in use (`inUse`, from
    /// its Format_description: being written, or left open by a crash) ends where its complete
    /// events end: a decoding error there ends the file too, after `ended` is told of it.
    func next(inUse: Bool, ended: (BinlogDecodingError) -> Void) throws -> BinlogEvent? {
        do {
            return try next()
        } catch let failure as BinlogDecodingError where inUse {
            ended(failure)
            return nil
        }
    }
}
