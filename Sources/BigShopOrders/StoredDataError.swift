/// A row of `orders.sqlite` this code cannot have written: the file was
/// altered outside the service. Reaches clients as INTERNAL.
struct StoredDataError: Error, CustomStringConvertible {
    var description: String
}
