fn main() {
    println!("hello from vigil");
}
